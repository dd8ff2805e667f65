package io.jifen.ledger.server;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.jifen.ledger.api.v1.Event;
import io.jifen.ledger.api.v1.LedgerGrpc;
import io.jifen.ledger.api.v1.SubscribeRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ledger journal tail}: a running server's change stream (Subscribe) as JSON lines, one record each, the format
 * of {@code journal dump}. With {@code --follow} it keeps following, and resumes after the last record it printed
 * when the server goes away and comes back (no line twice, none missing); without, it stops at the journal's end.
 */
final class JournalTail
{
    private static final long RECONNECT_MS = 1_000;

    private JournalTail()
    {
    }

    @Command(name = "tail", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"A running server's records as JSON lines (the format of journal dump), through its change " +
            "stream; without --follow it stops at the journal's end."})
    static final class Tail implements Callable<Integer>
    {
        private final LedgerCli cli;
        @Mixin
        ClientTls client;
        @Option(names = "--after", paramLabel = "SEQUENCE", defaultValue = "0",
            description = "print the records after this one (default 0: from the first)")
        long after;
        @Option(names = "--program", paramLabel = "NAME",
            description = "only records of this program (repeat for several; sweeps always pass)")
        List<String> programs = new ArrayList<>();
        @Option(names = "--type", paramLabel = "TYPE",
            description = "only records of this type: earn, redeem, expire_tick, ... (repeat for several)")
        List<String> types = new ArrayList<>();
        @Option(names = "--follow",
            description = "keep printing records as they are journaled; reconnect when the server restarts")
        boolean follow;

        Tail(final LedgerCli cli)
        {
            this.cli = cli;
        }

        @Override
        public Integer call() throws InterruptedException
        {
            final SubscribeRequest.Builder request = SubscribeRequest.newBuilder().setAfterSequence(after)
                .addAllProgramIds(programs).addAllTypes(types).setStopAtEnd(!follow);
            final ManagedChannel channel = client.channel();
            try
            {
                return tail(LedgerGrpc.newBlockingStub(channel), request, follow, cli.out, cli.err);
            }
            finally
            {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    private static int tail(final LedgerGrpc.LedgerBlockingStub stub, final SubscribeRequest.Builder request,
        final boolean follow, final PrintStream out, final PrintStream err) throws InterruptedException
    {
        while (true)
        {
            try
            {
                final Iterator<Event> events = stub.subscribe(request.build());
                while (events.hasNext())
                {
                    final Event event = events.next();
                    out.println(event.getRecordJson());
                    out.flush();
                    request.setAfterSequence(event.getSequence());
                }
                return 0;
            }
            catch (final StatusRuntimeException ex)
            {
                if (!follow || ex.getStatus().getCode() != Status.Code.UNAVAILABLE)
                {
                    err.println("ledger: " + ex.getStatus().getCode() + ": " + ex.getStatus().getDescription());
                    return switch (ex.getStatus().getCode())
                    {
                        case UNAUTHENTICATED, PERMISSION_DENIED, INVALID_ARGUMENT -> LedgerCli.Exit.USAGE;
                        default -> LedgerCli.Exit.UNAVAILABLE;
                    };
                }
                Thread.sleep(RECONNECT_MS); // the server is restarting: resume after the last record printed
            }
        }
    }
}
