package io.jifen.ledger.server;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.Callable;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.jifen.ledger.api.v1.Command;
import io.jifen.ledger.api.v1.CommandResult;
import io.jifen.ledger.api.v1.ImportRequest;
import io.jifen.ledger.api.v1.LedgerGrpc;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ledger import FILE.csv}: migrates another system's points into a running ledger, one {@code ImportRow} per
 * CSV row through a {@code Submit} stream, {@code --batch} rows a message, with at most {@code --window} rows in
 * flight. Each row's request id is its
 * {@code request_id} column or the file's id prefix and row number, so running the same file again imports nothing
 * twice (rows already in are counted as such); a row the ledger refuses, or that cannot be read, is written with its
 * reason to the rejects file; a row refused for a passing reason (the ring full, the ledger restarting) is sent again
 * under the same id. A summary closes the run; the exit status is 0 when every row is in, 1 when some were rejected,
 * 4 when rows are unaccounted for (the stream ended early).
 */
final class BulkImport
{
    private static final Set<String> COLUMNS = Set.of("member_id", "points", "earned_at", "expires_at",
        "tier_points", "birthday", "program_id", "order_id", "reason", "request_id");
    private static final List<String> REQUIRED = List.of("member_id", "points", "earned_at");
    /** The longest id prefix taken from a file name: ids are at most 64 characters with the row number. */
    private static final int PREFIX_MAX = 40;
    private static final int RESENDS_MAX = 1000;
    /** A batch goes before it passes this size: the server takes messages of at most 1 MiB. */
    private static final int BATCH_BYTES_MAX = 512 * 1024;
    /** Columns the rejects file adds: a rejects file can be fixed and imported as it is, these ignored. */
    private static final List<String> REJECTS_COLUMNS_IN_ORDER = List.of("row", "status", "message");
    private static final Set<String> REJECTS_COLUMNS = Set.copyOf(REJECTS_COLUMNS_IN_ORDER);
    /** Rows in flight at most: a share of the server's ring (65,536 slots by default) that leaves room for others. */
    private static final int WINDOW_MAX = 32_768;

    private final PrintStream out;
    private final Path file;
    private final String program;
    private final Path rejectsFile;
    private final String idPrefix;
    private final int window;
    private final int batch;

    private final Semaphore inFlight;
    private final Map<Long, Row> pending = new ConcurrentHashMap<>();
    private final Deque<Row> resend = new ArrayDeque<>();
    /** Rows read and not yet sent: the batch being filled (the reader's thread only). */
    private final List<Row> gathering = new ArrayList<>();
    private final Map<Long, List<Row>> sentBatches = new ConcurrentHashMap<>();
    private long batches;
    private long gatheredBytes;
    private final AtomicLong imported = new AtomicLong();
    private final AtomicLong already = new AtomicLong();
    private final AtomicLong points = new AtomicLong();
    private final AtomicLong resent = new AtomicLong();
    private final Map<String, Long> rejectedByReason = new TreeMap<>();
    private final AtomicReference<Status> failed = new AtomicReference<>();
    private CSVPrinter rejects;
    private long rejected;

    /** A row in flight: its cells for the rejects file, and the request to send again if it must be. */
    private record Row(long number, List<String> cells, ImportRequest request, int attempt)
    {
    }

    private BulkImport(final PrintStream out, final Path file, final String program, final Path rejectsFile,
        final String idPrefix, final int window, final int batch)
    {
        this.batch = batch;
        this.out = out;
        this.file = file;
        this.program = program;
        this.rejectsFile = rejectsFile;
        this.idPrefix = idPrefix;
        this.window = window;
        this.inFlight = new Semaphore(window);
    }

    @picocli.CommandLine.Command(name = "import", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Migrate another system's points into a running ledger: one row a lot, with its original " +
            "earned-at and expiry, and the member's tier points; a member the ledger does not know is enrolled (see " +
            "ImportRow in the .proto). Idempotent per row: running the same file again imports nothing twice."},
        footerHeading = "%nColumns (a header row names them, in any order):%n",
        footer = {
            "  member_id     required",
            "  points        required, 0.." + io.jifen.ledger.core.Limits.POINTS_MAX + " (0: no lot)",
            "  earned_at     required: ISO-8601 with its offset (2025-03-01T10:00:00+08:00) or epoch milliseconds",
            "  expires_at    the lot's expiry, the same forms; empty with points 0",
            "  tier_points   optional (default 0): counted toward tiers in the month of earned_at",
            "  birthday      optional MM-DD, used when the row enrolls the member",
            "  program_id    optional: the member's program (default --program, else the ledger's first)",
            "  order_id, reason  optional: the row's reference in the old system, free text",
            "  request_id    optional: the row's own idempotency key (default: ID-PREFIX:ROW, by the row's",
            "                position: fix rows in place, never insert or delete rows between runs; ids are",
            "                remembered for the program's requestRetentionDays, 35 by default)",
            "A rejects file can be fixed and imported as it is (its row, status and message columns are ignored).",
            "Exit status: 0 every row in, 1 some rejected, 2 bad usage or file, 4 the run ended early (run it again)."})
    static final class Import implements Callable<Integer>
    {
        private final LedgerCli cli;
        @Parameters(paramLabel = "FILE.csv", description = "the rows to import")
        Path file;
        @Mixin
        ClientTls client;
        @Option(names = "--program", paramLabel = "NAME", defaultValue = "",
            description = "the program of rows without program_id")
        String program;
        @Option(names = "--rejects", paramLabel = "FILE",
            description = "where rejected rows go, with their reasons (default FILE.rejects.csv)")
        Path rejects;
        @Option(names = "--id-prefix", paramLabel = "P",
            description = "request ids ID-PREFIX:ROW (default: the file's name); keep it to re-run a file")
        String prefix;
        @Option(names = "--batch", paramLabel = "N", defaultValue = "1024",
            description = "rows a Submit message carries (default ${DEFAULT-VALUE}, at most " + SubmitStream.BATCH_MAX +
                ")")
        int batch;
        @Option(names = "--window", paramLabel = "N", defaultValue = "16384",
            description = "rows in flight at once (default ${DEFAULT-VALUE}, at most " + WINDOW_MAX +
                "; at least --batch)")
        int window;

        Import(final LedgerCli cli)
        {
            this.cli = cli;
        }

        @Override
        public Integer call() throws IOException, InterruptedException
        {
            return run(file, client, program, rejects, prefix, LedgerCli.range("--window", window, 1, WINDOW_MAX),
                LedgerCli.range("--batch", batch, 1, SubmitStream.BATCH_MAX), cli.out);
        }
    }

    static int run(final Path file, final ClientTls tls, final String program, final Path rejects,
        final String prefix, final int window, final int batch, final PrintStream out)
        throws IOException, InterruptedException
    {
        if (!Files.isRegularFile(file))
        {
            throw new IllegalArgumentException("no such file: " + file);
        }
        final String idPrefix = null != prefix ? checkedPrefix(prefix) : prefixOf(file);
        final Path rejectsFile = null != rejects ? rejects : Path.of(file + ".rejects.csv");
        final ManagedChannel channel = tls.channel();
        try
        {
            return new BulkImport(out, file, program, rejectsFile, idPrefix, Math.max(window, batch), batch)
                .run(channel);
        }
        finally
        {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private int run(final ManagedChannel channel) throws IOException, InterruptedException
    {
        final long rowsAbout = countLines(file) - 1;
        final boolean terminal = io.jifen.ledger.server.load.Terminal.stderr();
        final long began = System.nanoTime();
        final CountDownLatch done = new CountDownLatch(1);
        final ClientCallStreamObserver<Command>[] stream = open(channel, done);
        long rows = 0;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
            CSVParser parser = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true)
                .setIgnoreEmptyLines(true).setTrim(true).get().parse(reader);
            BufferedWriter writer = Files.newBufferedWriter(rejectsFile, StandardCharsets.UTF_8))
        {
            final List<String> header = parser.getHeaderNames();
            checkHeader(header);
            final List<Integer> kept = keptColumns(header);
            final List<String> rejectsHeader = new ArrayList<>(kept.stream().map(header::get).toList());
            rejectsHeader.addAll(REJECTS_COLUMNS_IN_ORDER);
            rejects = new CSVPrinter(writer, CSVFormat.DEFAULT.builder().setHeader(
                rejectsHeader.toArray(new String[0])).get());
            for (final CSVRecord record : parser)
            {
                rows++;
                final List<String> all = record.toList();
                final List<String> cells = kept.stream().map(i -> i < all.size() ? all.get(i) : "").toList();
                final ImportRequest request;
                try
                {
                    request = request(record);
                }
                catch (final IllegalArgumentException ex)
                {
                    reject(record.getRecordNumber(), cells, "INVALID_ARGUMENT",
                        ex.getMessage() + " [CSV_FIELD_INVALID]");
                    continue;
                }
                send(stream[0], new Row(record.getRecordNumber(), cells, request, 0));
                if (terminal && rows % 10_000 == 0)
                {
                    progress(rows, rowsAbout, began);
                }
            }
            drain(stream[0]);
            checkNotFailed(); // the stream may have ended while the last answers were awaited
            stream[0].onCompleted();
            done.await();
            checkNotFailed();
            synchronized (this)
            {
                rejects = null; // before the writer closes: a late answer must not write to it
            }
        }
        finally
        {
            synchronized (this)
            {
                rejects = null;
            }
        }
        final double seconds = (System.nanoTime() - began) / 1e9;
        if (rejected == 0)
        {
            Files.deleteIfExists(rejectsFile); // no rejects: no file that a reader could take for an old run's
        }
        if (terminal)
        {
            System.err.print("\r" + " ".repeat(100) + "\r");
        }
        return summary(rows, seconds);
    }

    @SuppressWarnings("unchecked")
    private ClientCallStreamObserver<Command>[] open(final ManagedChannel channel, final CountDownLatch done)
    {
        final ClientCallStreamObserver<Command>[] holder = new ClientCallStreamObserver[1];
        LedgerGrpc.newStub(channel).submit(new ClientResponseObserver<Command, CommandResult>()
        {
            @Override
            public void beforeStart(final ClientCallStreamObserver<Command> requests)
            {
                holder[0] = requests;
            }

            @Override
            public void onNext(final CommandResult result)
            {
                answeredBatch(result);
            }

            @Override
            public void onError(final Throwable t)
            {
                failed.compareAndSet(null, Status.fromThrowable(t));
                inFlight.release(window); // unblock the reader: it stops at the failure
                done.countDown();
            }

            @Override
            public void onCompleted()
            {
                done.countDown();
            }
        });
        return holder;
    }

    /** Adds a row to the batch being filled (first any rows to send again), sending the batch when it is full. */
    private void send(final ClientCallStreamObserver<Command> stream, final Row row) throws InterruptedException
    {
        resendWaiting(stream);
        add(stream, row);
    }

    private void add(final ClientCallStreamObserver<Command> stream, final Row row) throws InterruptedException
    {
        if (!inFlight.tryAcquire())
        {
            flush(stream); // the window is full: what is gathered must go, so that answers can come back
            inFlight.acquire();
        }
        checkNotFailed();
        gathering.add(row);
        gatheredBytes += row.request().getSerializedSize() + 16;
        if (gathering.size() == batch || gatheredBytes >= BATCH_BYTES_MAX)
        {
            flush(stream);
        }
    }

    /** Sends the rows gathered as one message (a batch of ImportRow, each row's number its correlation id). */
    private void flush(final ClientCallStreamObserver<Command> stream)
    {
        if (gathering.isEmpty())
        {
            return;
        }
        final long id = ++batches;
        final io.jifen.ledger.api.v1.CommandBatch.Builder message = io.jifen.ledger.api.v1.CommandBatch.newBuilder();
        for (final Row row : gathering)
        {
            pending.put(row.number(), row);
            message.addCommands(Command.newBuilder().setCorrelationId(row.number()).setImportRow(row.request()));
        }
        sentBatches.put(id, List.copyOf(gathering));
        gathering.clear();
        gatheredBytes = 0;
        stream.onNext(Command.newBuilder().setCorrelationId(id).setBatch(message).build());
    }

    /** Sends again the rows the ledger was too busy to take, after a pause that grows with their attempts. */
    private void resendWaiting(final ClientCallStreamObserver<Command> stream) throws InterruptedException
    {
        final List<Row> rows = new ArrayList<>();
        synchronized (resend)
        {
            rows.addAll(resend);
            resend.clear();
        }
        if (rows.isEmpty())
        {
            return;
        }
        final int attempt = rows.stream().mapToInt(Row::attempt).max().orElse(1);
        Thread.sleep(Math.min(50, attempt)); // the ledger is busy: back off a little more each round, once a round
        resent.addAndGet(rows.size());
        for (final Row row : rows)
        {
            add(stream, row);
        }
    }

    /** Waits for every row in flight, sending again those the ledger asked to be sent again. */
    private void drain(final ClientCallStreamObserver<Command> stream) throws InterruptedException
    {
        while (true)
        {
            resendWaiting(stream);
            flush(stream);
            checkNotFailed();
            if (inFlight.tryAcquire(window, 10, TimeUnit.MILLISECONDS))
            {
                final boolean settled;
                synchronized (resend)
                {
                    settled = resend.isEmpty();
                }
                inFlight.release(window);
                if (settled)
                {
                    return;
                }
            }
        }
    }

    private void checkNotFailed()
    {
        final Status status = failed.get();
        if (null != status)
        {
            // refused for its key or its usage: the operator's to fix (2); else the run ended early (4)
            final boolean refused = status.getCode() == Status.Code.UNAUTHENTICATED ||
                status.getCode() == Status.Code.PERMISSION_DENIED || status.getCode() == Status.Code.INVALID_ARGUMENT;
            throw new LedgerCli.Failure(refused ? LedgerCli.Exit.USAGE : LedgerCli.Exit.UNAVAILABLE,
                "the ledger ended the import stream: " + status.getCode() +
                (null == status.getDescription() ? "" : " " + status.getDescription()) +
                ". Rows sent are in or rejected; run the same command again to import the rest (nothing twice)", null);
        }
    }

    /** The answer to one batch: each row's, or the batch refused whole. */
    private void answeredBatch(final CommandResult result)
    {
        final List<Row> rows = sentBatches.remove(result.getCorrelationId());
        if (result.hasBatch())
        {
            for (final CommandResult row : result.getBatch().getResultsList())
            {
                answered(row);
            }
            return;
        }
        for (final Row row : rows)
        {
            answered(CommandResult.newBuilder().setCorrelationId(row.number()).setCode(result.getCode())
                .setMessage(result.getMessage()).build());
        }
    }

    private void answered(final CommandResult result)
    {
        final Row row = pending.remove(result.getCorrelationId());
        try
        {
            final Status.Code code = Status.fromCodeValue(result.getCode()).getCode();
            if (code == Status.Code.OK)
            {
                if (result.getWrite().getReplay())
                {
                    already.incrementAndGet();
                }
                else
                {
                    imported.incrementAndGet();
                    points.addAndGet(row.request().getPoints());
                }
            }
            else if ((code == Status.Code.RESOURCE_EXHAUSTED && (result.getMessage().contains("RING_FULL") ||
                "OVERLOADED".equals(result.getReason())) ||
                code == Status.Code.UNAVAILABLE && result.getMessage().contains("SHUTTING_DOWN")) &&
                row.attempt() < RESENDS_MAX)
            {
                synchronized (resend)
                {
                    resend.add(new Row(row.number(), row.cells(), row.request(), row.attempt() + 1));
                }
            }
            else
            {
                reject(row.number(), row.cells(), code.name(), result.getMessage());
            }
        }
        finally
        {
            inFlight.release();
        }
    }

    private synchronized void reject(final long number, final List<String> cells, final String status,
        final String message)
    {
        if (null == rejects)
        {
            return; // the run ended on a failure before this answer came: the row is retried by the next run
        }
        rejected++;
        final int open = message.lastIndexOf('[');
        final String reason = open >= 0 && message.endsWith("]") ? message.substring(open + 1, message.length() - 1) :
            status;
        rejectedByReason.merge(reason, 1L, Long::sum);
        try
        {
            final List<String> line = new ArrayList<>(cells);
            line.add(Long.toString(number));
            line.add(status);
            line.add(message);
            rejects.printRecord(line);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write the rejects file " + rejectsFile, ex);
        }
    }

    /** A rejects file imported again: its own row, status and message give way to this run's. */
    private static List<Integer> keptColumns(final List<String> header)
    {
        final List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < header.size(); i++)
        {
            if (!REJECTS_COLUMNS.contains(header.get(i)))
            {
                kept.add(i);
            }
        }
        return kept;
    }

    private ImportRequest request(final CSVRecord record)
    {
        final ImportRequest.Builder b = ImportRequest.newBuilder()
            .setMemberId(cell(record, "member_id"))
            .setPoints(number(record, "points"))
            .setEarnedAtMs(instant(record, "earned_at"))
            .setExpiresAtMs(instant(record, "expires_at"))
            .setTierPoints(number(record, "tier_points"))
            .setBirthday(cell(record, "birthday"))
            .setOrderId(cell(record, "order_id"))
            .setReason(cell(record, "reason"));
        final String rowProgram = cell(record, "program_id");
        b.setProgramId(rowProgram.isEmpty() ? program : rowProgram);
        final String id = cell(record, "request_id");
        b.setRequestId(id.isEmpty() ? idPrefix + ":" + record.getRecordNumber() : id);
        return b.build();
    }

    private static String cell(final CSVRecord record, final String column)
    {
        return record.isMapped(column) && record.isSet(column) ? record.get(column) : "";
    }

    private static long number(final CSVRecord record, final String column)
    {
        final String value = cell(record, column);
        try
        {
            return value.isEmpty() ? 0 : Long.parseLong(value);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(column + ": not a whole number: '" + value + "'");
        }
    }

    private static long instant(final CSVRecord record, final String column)
    {
        final String value = cell(record, column);
        return value.isEmpty() ? 0 : LedgerMain.epochMs(column, value);
    }

    private static void checkHeader(final List<String> header)
    {
        for (final String column : header)
        {
            if (!COLUMNS.contains(column) && !REJECTS_COLUMNS.contains(column))
            {
                throw new IllegalArgumentException("unknown column '" + column + "' in the header; the columns are " +
                    String.join(", ", new java.util.TreeSet<>(COLUMNS)) + " (required: " + REQUIRED + ")");
            }
        }
        for (final String column : REQUIRED)
        {
            if (!header.contains(column))
            {
                throw new IllegalArgumentException("the header has no '" + column + "' column (required: " +
                    REQUIRED + ")");
            }
        }
    }

    private int summary(final long rows, final double seconds)
    {
        out.printf(Locale.ROOT, "rows read          %,d%n", rows);
        out.printf(Locale.ROOT, "imported           %,d rows, %,d points%n", imported.get(), points.get());
        out.printf(Locale.ROOT, "already imported   %,d rows (sent before under the same request id)%n",
            already.get());
        out.printf(Locale.ROOT, "rejected           %,d rows%s%n", rejected,
            rejected == 0 ? "" : " -> " + rejectsFile);
        rejectedByReason.forEach((reason, count) -> out.printf(Locale.ROOT, "  %-30s %,d%n", reason, count));
        if (resent.get() > 0)
        {
            out.printf(Locale.ROOT, "sent again         %,d times (the ledger was busy)%n", resent.get());
        }
        out.printf(Locale.ROOT, "elapsed            %.1f s, %,.0f rows/s%n", seconds, rows / Math.max(seconds, 1e-9));
        final long accounted = imported.get() + already.get() + rejected;
        if (accounted != rows)
        {
            out.printf(Locale.ROOT, "unaccounted        %,d rows: run the same command again to import them%n",
                rows - accounted);
            return LedgerCli.Exit.UNAVAILABLE;
        }
        return rejected == 0 ? LedgerCli.Exit.OK : LedgerCli.Exit.PARTLY_FAILED;
    }

    private static void progress(final long rows, final long about, final long began)
    {
        final double seconds = (System.nanoTime() - began) / 1e9;
        final int width = 30;
        final int filled = about > 0 ? (int)Math.min(width, rows * width / about) : 0;
        System.err.printf(Locale.ROOT, "\r[%s%s] %,d of %,d rows  %,.0f rows/s   ", "#".repeat(filled),
            " ".repeat(width - filled), rows, Math.max(rows, about), rows / Math.max(seconds, 1e-9));
    }

    private static long countLines(final Path file) throws IOException
    {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8))
        {
            long lines = 0;
            while (null != reader.readLine())
            {
                lines++;
            }
            return lines;
        }
    }

    /** The file's name, as printable ASCII of at most {@value #PREFIX_MAX} characters: request ids are ASCII. */
    static String prefixOf(final Path file)
    {
        final String name = file.getFileName().toString();
        final StringBuilder prefix = new StringBuilder();
        for (int i = 0; i < name.length() && prefix.length() < PREFIX_MAX; i++)
        {
            final char ch = name.charAt(i);
            prefix.append(ch > 0x20 && ch < 0x7F ? ch : '_');
        }
        return prefix.toString();
    }

    private static String checkedPrefix(final String prefix)
    {
        if (prefix.isEmpty() || prefix.length() > PREFIX_MAX || !prefix.chars().allMatch(ch -> ch > 0x20 && ch < 0x7F))
        {
            throw new IllegalArgumentException("--id-prefix must be 1.." + PREFIX_MAX +
                " printable ASCII characters without spaces, not '" + prefix + "'");
        }
        return prefix;
    }
}
