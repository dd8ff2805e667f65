package io.jifen.ledger.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.UUID;

import io.jifen.ledger.core.Command;
import io.jifen.ledger.core.CommandType;
import io.jifen.ledger.core.Ledger;
import io.jifen.ledger.core.Program;

/**
 * Measures the heap the ledger holds per member and per remembered write (the figures the README quotes):
 * enrolls members, then earns with 36-character UUID request ids, and compares the live heap after full GCs.
 * <pre>
 *   java -cp benchmarks/target/benchmarks.jar io.jifen.ledger.bench.MemoryFootprint [members] [earns]
 * </pre>
 */
public final class MemoryFootprint
{
    private MemoryFootprint()
    {
    }

    public static void main(final String[] args)
    {
        final int members = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        final int earns = args.length > 1 ? Integer.parseInt(args[1]) : 4_000_000;
        final long base = liveHeap();
        final Ledger ledger = new Ledger(Program.defaultProgram());
        final Command c = new Command();
        long now = 1_767_225_600_000L;
        for (int i = 0; i < members; i++)
        {
            c.clear();
            c.type = CommandType.ENROLL;
            c.requestId = UUID.nameUUIDFromBytes(("enroll" + i).getBytes()).toString();
            c.memberId = "member-" + i;
            c.timestamp = now;
            ledger.apply(c);
        }
        final long afterMembers = liveHeap();
        for (int i = 0; i < earns; i++)
        {
            c.clear();
            c.type = CommandType.EARN;
            c.requestId = UUID.nameUUIDFromBytes(("earn" + i).getBytes()).toString();
            c.memberId = "member-" + (i % members);
            c.points = 100;
            c.timestamp = ++now;
            ledger.apply(c);
        }
        final long afterEarns = liveHeap();
        System.out.printf("members %,d: %.0f bytes each (member, id, enrollment request)%n",
            members, (afterMembers - base) / (double)members);
        System.out.printf("earns %,d: %.0f bytes each (lot, remembered request id and outcome)%n",
            earns, (afterEarns - afterMembers) / (double)earns);
        System.out.printf("ledger: %d members, %d lots, %d remembered requests, state hash %016x%n",
            ledger.memberCount(), ledger.lotCount(), ledger.rememberedRequests(), ledger.stateHash());
    }

    private static long liveHeap()
    {
        final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++)
        {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
