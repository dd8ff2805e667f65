package io.jifen.ledger.journal;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import io.jifen.ledger.core.Channel;
import io.jifen.ledger.core.Command;
import io.jifen.ledger.core.CommandType;
import io.jifen.ledger.core.Ledger;
import io.jifen.ledger.core.Program;
import io.jifen.ledger.core.ResultCode;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A short scripted journal with every journaled record type, in version 1 (the first program) and version 2 (a second
 * program named in the record), an earn from a purchase with campaigns in both: what the randomized workload's
 * fixture does not reach. {@code -Djifen.goldenShapesOut=FILE} writes it in the golden format of
 * {@link JournalCompatibilityTest}; {@code golden/shapes-a36a813.bin.gz} was written so by build a36a813, with this
 * script's three renamed inputs under their names of that build (SetTier's tier in {@code status} and floor in
 * {@code points}, a hold's timeout in {@code limit}). This build must write the same bytes, and
 * {@link JournalCompatibilityTest} replays them. (Until this class was named for Surefire to run it, nothing ran it:
 * new writes had been journaled in version 3 since, so the script now asks for the versions of that build.)
 */
class GoldenShapesTest
{
    static final String FIXTURE = "/golden/shapes-a36a813.bin.gz";
    /** What {@code journal dump} of build a36a813 printed for the fixture's records, one line each. */
    static final String DUMP = "/golden/shapes-a36a813.jsonl";
    static final long T0 = 1_767_607_200_000L; // 2026-01-05T10:00Z
    private static final long DAY = 86_400_000L;

    static final String FIRST = String.join("\n",
        "version: 1",
        "name: coffee",
        "expiry:",
        "  months: 12",
        "earning:",
        "  points: 1",
        "  perMinorUnits: 100",
        "campaigns:",
        "  - {id: double, multiplier: 2, start: 2026-01-01T00:00, end: 2027-01-01T00:00, categories: [tea]}",
        "partners:",
        "  - program: airline",
        "    rate: 0.5",
        "");
    static final String SECOND = String.join("\n",
        "version: 1",
        "name: airline",
        "expiry:",
        "  months: 24",
        "earning:",
        "  points: 2",
        "  perMinorUnits: 100",
        "campaigns:",
        "  - {id: triple, multiplier: 3, start: 2026-01-01T00:00, end: 2027-01-01T00:00}",
        "partners:",
        "  - program: coffee",
        "    rate: 2",
        "");

    private final Ledger ledger = new Ledger(Program.parse(FIRST));
    private final JournalRecord codec = new JournalRecord();
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(1024);
    private final Command c = new Command();
    private DataOutputStream out;
    private int records;
    private long now = T0;

    /** The golden bytes are this build's bytes: every record type in both versions encodes as build a36a813's did. */
    @Test
    void thisBuildWritesTheGoldenBytesOfBuildA36a813() throws IOException
    {
        final byte[] golden;
        try (InputStream in = GoldenShapesTest.class.getResourceAsStream(FIXTURE))
        {
            assertNotNull(in, FIXTURE + " is on the test class path");
            golden = new GZIPInputStream(in).readAllBytes();
        }
        final byte[] written = generate();
        final int differs = Arrays.mismatch(golden, written);
        assertEquals(-1, differs, () -> "the bytes differ from " + FIXTURE + " at byte " + differs + " of " +
            written.length + " (the records start at byte " + (9 + 4 + 8 + 4 + FIRST.length() + 4) + ")");
    }

    /**
     * {@code journal dump} is read by finance tools: each record of the fixture prints as build a36a813 printed it,
     * with one deliberate change since: tiers and member statuses by name ("gold", "frozen"; null for none) instead of
     * their codes.
     */
    @Test
    void theDumpOfEveryRecordIsWhatBuildA36a813PrintedWithEnumsNamed() throws IOException
    {
        final List<String> golden;
        try (InputStream in = GoldenShapesTest.class.getResourceAsStream(DUMP))
        {
            assertNotNull(in, DUMP + " is on the test class path");
            golden = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(GoldenShapesTest::enumsNamed)
                .toList();
        }
        final List<String> printed = new ArrayList<>();
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(
            GoldenShapesTest.class.getResourceAsStream(FIXTURE))))
        {
            in.readFully(new byte[9 + 4 + 8]);
            in.readFully(new byte[in.readInt()]);
            final int count = in.readInt();
            for (int i = 0; i < count; i++)
            {
                final byte[] record = new byte[in.readInt()];
                in.readFully(record);
                printed.add(JournalRecord.toJson(new UnsafeBuffer(record)));
            }
        }
        assertEquals(golden.size(), printed.size(), "records");
        for (int i = 0; i < golden.size(); i++)
        {
            assertEquals(golden.get(i), printed.get(i), "record " + i);
        }
    }

    private static final String[] TIERS = {"null", "\"member\"", "\"silver\"", "\"gold\"", "\"platinum\""};
    private static final String[] STATUSES = {"null", "\"active\"", "\"frozen\"", "\"closed\""};

    /** A line build a36a813 printed, its tier and status codes replaced by the names this build prints. */
    private static String enumsNamed(final String line)
    {
        final StringBuilder sb = new StringBuilder();
        final java.util.regex.Matcher m =
            java.util.regex.Pattern.compile("\"(tier|member_status|status)\":(\\d+)").matcher(line);
        while (m.find())
        {
            final int code = Integer.parseInt(m.group(2));
            m.appendReplacement(sb, java.util.regex.Matcher.quoteReplacement("\"" + m.group(1) + "\":" +
                (m.group(1).equals("tier") ? TIERS[code] : STATUSES[code])));
        }
        return m.appendTail(sb).toString();
    }

    @Test
    @EnabledIfSystemProperty(named = "jifen.goldenShapesOut", matches = ".+")
    void write() throws IOException
    {
        final Path file = Path.of(System.getProperty("jifen.goldenShapesOut"));
        final byte[] bytes = generate();
        try (OutputStream gzip = new GZIPOutputStream(new BufferedOutputStream(Files.newOutputStream(file))))
        {
            gzip.write(bytes);
        }
    }

    /** @return the script's journal in the golden format (one run), uncompressed. */
    private byte[] generate() throws IOException
    {
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        out = new DataOutputStream(body);
        script();
        ledger.checkInvariants();
        final ByteArrayOutputStream all = new ByteArrayOutputStream();
        try (DataOutputStream head = new DataOutputStream(all))
        {
            head.write("JIFENGOLD".getBytes(StandardCharsets.US_ASCII));
            head.writeInt(1);
            head.writeLong(0);
            final byte[] text = FIRST.getBytes(StandardCharsets.UTF_8);
            head.writeInt(text.length);
            head.write(text);
            head.writeInt(records);
            head.write(body.toByteArray());
            head.writeLong(ledger.lastSequence());
            head.writeLong(ledger.stateHash());
        }
        return all.toByteArray();
    }

    private void script() throws IOException
    {
        begin(CommandType.SET_PROGRAM, null, null, null).programText = SECOND;
        c.programId = "airline";
        send();
        for (final String program : new String[] {null, "airline"})
        {
            final String p = null == program ? "first-" : "second-";
            begin(CommandType.ENROLL, program, p + "enroll-m1", "m1").birthday = 1111;
            send();
            begin(CommandType.ENROLL, program, p + "enroll-m2", "m2").referrerId = "m1";
            send();
            begin(CommandType.EARN, program, p + "earn", "m1").points = 1_000;
            c.orderId = "order-1";
            c.reason = "双11";
            send();
            begin(CommandType.EARN, program, p + "purchase", "m1").purchaseMinor = 12_345;
            c.currency = "CNY";
            c.channel = Channel.STORE.code();
            c.categories = new String[] {"cups", "tea"};
            send();
            begin(CommandType.REDEEM, program, p + "redeem", "m1").points = 100;
            send();
            begin(CommandType.REVERSE, program, p + "reverse", "m1").originalRequestId = p + "redeem";
            send();
            begin(CommandType.ADJUST, program, p + "adjust", "m1").points = -7;
            c.reason = "goodwill";
            send();
            begin(CommandType.HOLD, program, p + "hold-1", "m1").points = 50;
            holdTimeout(3_600);
            send();
            begin(CommandType.CAPTURE_HOLD, program, p + "capture", "m1").points = 20;
            c.originalRequestId = p + "hold-1";
            send();
            begin(CommandType.HOLD, program, p + "hold-2", "m1").points = 30;
            send();
            begin(CommandType.RELEASE_HOLD, program, p + "release", "m1").originalRequestId = p + "hold-2";
            send();
            begin(CommandType.SET_TIER, program, p + "tier", "m1");
            tier(3, T0 + 30 * DAY);
            send();
            begin(CommandType.SET_STATUS, program, p + "freeze", "m2").status = 2;
            send();
            begin(CommandType.SET_STATUS, program, p + "thaw", "m2").status = 1;
            send();
            begin(CommandType.TRANSFER, program, p + "transfer", "m1").points = 40;
            c.toMemberId = "m2";
            send();
        }
        begin(CommandType.EXCHANGE, null, "exchange-out", "m1").points = 200;
        c.toProgramId = "airline";
        c.toMemberId = "m2";
        send();
        begin(CommandType.EXCHANGE, "airline", "exchange-back", "m1").points = 100;
        c.toProgramId = "coffee";
        c.toMemberId = "m2";
        send();
        now += 400 * DAY; // the first program's lots expire; the second program's live on
        begin(CommandType.EXPIRE_TICK, null, null, null).limit = 1_000;
        send();
        now += 400 * DAY;
        begin(CommandType.EXPIRE_TICK, "airline", null, null).limit = 1_000;
        send();
    }

    /** A hold's timeout in seconds (build a36a813: {@code c.limit}). */
    private void holdTimeout(final int seconds)
    {
        c.holdTimeoutSeconds = seconds;
    }

    /** SetTier's tier and floor (build a36a813: {@code c.status} and {@code c.points}). */
    private void tier(final int tier, final long floorUntil)
    {
        c.requestedTier = tier;
        c.requestedFloorUntil = floorUntil;
    }

    private Command begin(final CommandType type, final String programId, final String requestId, final String member)
    {
        c.clear();
        // build a36a813 wrote version 1, or 2 where a record names a program: what an older record re-encodes as
        c.recordVersion = JournalRecord.VERSION;
        c.type = type;
        c.programId = programId;
        c.requestId = requestId;
        c.memberId = member;
        now += 60_000;
        c.timestamp = now;
        return c;
    }

    private void send() throws IOException
    {
        final String asked = c.toString();
        ledger.apply(c);
        assertEquals(ResultCode.OK, c.result, asked);
        assertTrue(c.isJournaled(), asked);
        final int length = codec.encode(c, buffer);
        out.writeInt(length);
        out.write(buffer.byteArray(), 0, length);
        records++;
    }
}
