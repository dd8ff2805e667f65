package io.jifen.ledger.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.jifen.ledger.core.Command;
import io.jifen.ledger.core.CommandType;
import io.jifen.ledger.core.Ledger;
import io.jifen.ledger.core.Program;
import io.jifen.ledger.journal.Journal;
import io.jifen.ledger.journal.JournalRecord;
import org.agrona.ExpandableArrayBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The journal alone: encoding a real earn record, and appending it to a Chronicle Queue on local disk (no sync:
 * the page-cache cost an acknowledgement with {@code --sync=none} pays per record).
 * <pre>
 *   benchmark thread --encode--> byte[] --append--> Chronicle Queue (memory-mapped file)
 * </pre>
 * The queue lives in a temporary folder under {@code java.io.tmpdir}, deleted after the trial.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class JournalAppendBenchmark
{
    private Path directory;
    private Journal journal;
    private Journal.Appender appender;
    private final JournalRecord codec = new JournalRecord();
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(512);
    private final Command earn = new Command();
    private int length;

    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        final Ledger ledger = new Ledger(Program.defaultProgram());
        final Command enroll = new Command();
        enroll.type = CommandType.ENROLL;
        enroll.requestId = "enroll-3f2a9c1e-member";
        enroll.memberId = "13800138000-hash-5d41402abc4b2a76";
        enroll.timestamp = 1_767_225_600_000L;
        ledger.apply(enroll);
        earn.type = CommandType.EARN;
        earn.requestId = "pos-0042-20261111-000000-7f3c2b1a9d8e";
        earn.memberId = enroll.memberId;
        earn.orderId = "order-20261111-0000001";
        earn.points = 1_280;
        earn.timestamp = enroll.timestamp + 1;
        ledger.apply(earn);
        length = codec.encode(earn, buffer);

        directory = Files.createTempDirectory("jifen-journal-bench");
        journal = new Journal(directory);
        appender = journal.openAppender();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException
    {
        appender.close();
        journal.close();
        try (Stream<Path> walk = Files.walk(directory))
        {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        System.out.println("\nearn record: " + length + " bytes");
    }

    @Benchmark
    public int encodeEarnRecord()
    {
        return codec.encode(earn, buffer);
    }

    private final Command decoded = new Command();
    private final org.agrona.concurrent.UnsafeBuffer view = new org.agrona.concurrent.UnsafeBuffer(new byte[0]);

    /** Decoding the record back into a command, as replay does for every record at start-up. */
    @Benchmark
    public long decodeEarnRecord()
    {
        view.wrap(buffer.byteArray(), 0, length);
        return JournalRecord.decodeCommand(view, decoded.clear());
    }

    private final byte[] chain = new byte[JournalRecord.CHAIN_LENGTH];

    /** What the journal stage adds per record for tamper evidence: SHA-256 over the record, and its CRC again. */
    @Benchmark
    public byte chainEarnRecord()
    {
        codec.chain(buffer.byteArray(), length, chain);
        return chain[0];
    }

    @Benchmark
    public void appendEarnRecord()
    {
        appender.append(buffer.byteArray(), length);
    }
}
