package io.jifen.ledger.server;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.jifen.ledger.api.v1.AdjustRequest;
import io.jifen.ledger.api.v1.AdvanceClockRequest;
import io.jifen.ledger.api.v1.CaptureHoldRequest;
import io.jifen.ledger.api.v1.CheckTierRequest;
import io.jifen.ledger.api.v1.EarnRequest;
import io.jifen.ledger.api.v1.EnrollRequest;
import io.jifen.ledger.api.v1.ExchangeRequest;
import io.jifen.ledger.api.v1.GetBalanceRequest;
import io.jifen.ledger.api.v1.GetMemberRequest;
import io.jifen.ledger.api.v1.HoldRequest;
import io.jifen.ledger.api.v1.ImportRequest;
import io.jifen.ledger.api.v1.LedgerGrpc;
import io.jifen.ledger.api.v1.ListExpiringRequest;
import io.jifen.ledger.api.v1.ListHistoryRequest;
import io.jifen.ledger.api.v1.ListLotsRequest;
import io.jifen.ledger.api.v1.MemberStatus;
import io.jifen.ledger.api.v1.PutProgramRequest;
import io.jifen.ledger.api.v1.RedeemRequest;
import io.jifen.ledger.api.v1.ReleaseHoldRequest;
import io.jifen.ledger.api.v1.ReverseRequest;
import io.jifen.ledger.api.v1.SetMemberStatusRequest;
import io.jifen.ledger.api.v1.SetTierRequest;
import io.jifen.ledger.api.v1.SubscribeRequest;
import io.jifen.ledger.api.v1.Tier;
import io.jifen.ledger.api.v1.TransferRequest;
import io.jifen.ledger.core.Program;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * API keys over real TLS on loopback: the whole matrix of roles (pos, reader, finance, admin, each for one program;
 * and an admin of every program) by RPC by the key's own program or another, against a table written from the rules
 * (not from the code): a call the key may make is never PERMISSION_DENIED, one it may not make always is, and changes
 * nothing. Missing and unknown keys are UNAUTHENTICATED; health stays open; reflection needs a key; a Submit stream
 * judges each command; `ledger keys new` makes a key the server then admits.
 */
class ApiKeysIT
{
    private static final String COFFEE = "version: 1\nname: coffee\n";
    private static final String TEA = "version: 1\nname: tea\n";

    /** The rules: which RPCs each role may call (on its own programs). */
    private static final Map<String, Set<String>> ALLOWED = Map.of(
        "pos", Set.of("Enroll", "Earn", "Redeem", "Hold", "CaptureHold", "ReleaseHold", "Reverse", "Transfer",
            "Exchange", "GetBalance", "CheckTier", "GetMember", "ListLots", "ListHistory"),
        "reader", Set.of("GetBalance", "CheckTier", "GetMember", "ListLots", "ListHistory"),
        "finance", Set.of("GetBalance", "CheckTier", "GetMember", "ListLots", "ListHistory", "ListExpiring",
            "Subscribe"),
        "admin", Set.of("Enroll", "Earn", "Redeem", "Hold", "CaptureHold", "ReleaseHold", "Reverse", "Transfer",
            "Exchange", "GetBalance", "CheckTier", "GetMember", "ListLots", "ListHistory", "ListExpiring", "Subscribe",
            "Adjust", "SetTier", "SetMemberStatus", "ImportRow", "PutProgram", "AdvanceClock"));
    /** Calls that touch two programs or the whole ledger: only a key for every program may make them. */
    private static final Set<String> EVERY_PROGRAM = Set.of("Exchange", "PutProgram", "AdvanceClock");

    @TempDir
    Path dir;

    private LedgerServer server;
    private TestAuthority ca;
    private final List<ManagedChannel> channels = new ArrayList<>();
    private final Map<String, String> keys = new LinkedHashMap<>();
    private final AtomicInteger requests = new AtomicInteger();

    @AfterEach
    void stop()
    {
        channels.forEach(ManagedChannel::shutdownNow);
        if (null != server)
        {
            server.close();
        }
    }

    @Test
    void everyRoleMakesExactlyTheCallsItsRoleAndProgramsAllow() throws Exception
    {
        start();
        final LedgerGrpc.LedgerBlockingStub root = stub(keys.get("root"));
        for (final String program : List.of("coffee", "tea"))
        {
            for (final String member : List.of("m1", "m2"))
            {
                root.enroll(EnrollRequest.newBuilder().setRequestId(program + "-e-" + member).setMemberId(member)
                    .setProgramId(program).build());
                root.earn(EarnRequest.newBuilder().setRequestId(program + "-x-" + member).setMemberId(member)
                    .setProgramId(program).setPoints(1000).build());
            }
        }

        final Map<String, BiConsumer<LedgerGrpc.LedgerBlockingStub, String>> rpcs = rpcs();
        final Map<String, String> wrong = new TreeMap<>();
        int calls = 0;
        for (final Map.Entry<String, String> key : keys.entrySet())
        {
            final String role = key.getKey().equals("root") ? "admin" : key.getKey();
            final boolean everyProgram = key.getKey().equals("root");
            final LedgerGrpc.LedgerBlockingStub stub = stub(key.getValue());
            for (final Map.Entry<String, BiConsumer<LedgerGrpc.LedgerBlockingStub, String>> rpc : rpcs.entrySet())
            {
                for (final String program : List.of("coffee", "tea"))
                {
                    final boolean own = everyProgram || program.equals("coffee");
                    final boolean expected = ALLOWED.get(role).contains(rpc.getKey()) && own &&
                        (everyProgram || !EVERY_PROGRAM.contains(rpc.getKey()));
                    final long before = balanceOfM1(root, program);
                    Status.Code code = Status.Code.OK;
                    try
                    {
                        rpc.getValue().accept(stub, program);
                    }
                    catch (final StatusRuntimeException ex)
                    {
                        code = ex.getStatus().getCode();
                    }
                    calls++;
                    final boolean allowed = code != Status.Code.PERMISSION_DENIED;
                    assertTrue(code != Status.Code.UNAUTHENTICATED, key.getKey() + " " + rpc.getKey());
                    if (allowed != expected)
                    {
                        wrong.put(key.getKey() + " " + rpc.getKey() + " " + program, code.name());
                    }
                    if (!allowed)
                    {
                        assertEquals(before, balanceOfM1(root, program), "a refused call changes nothing");
                    }
                }
            }
        }
        assertEquals(Map.of(), wrong, "calls whose outcome disagrees with the rules (of " + calls + ")");
        assertEquals(5 * 22 * 2, calls);
    }

    @Test
    void callsWithoutAKnownKeyAreUnauthenticatedButHealthStaysOpen() throws Exception
    {
        start();
        for (final String key : new String[] {null, "jfk_not-a-key"})
        {
            final StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                () -> stub(key).getBalance(GetBalanceRequest.newBuilder().setMemberId("m1").build()));
            assertEquals(Status.Code.UNAUTHENTICATED, refused.getStatus().getCode());
        }
        final HealthCheckResponse health = HealthGrpc.newBlockingStub(channel(null))
            .check(HealthCheckRequest.newBuilder().build());
        assertEquals(HealthCheckResponse.ServingStatus.SERVING, health.getStatus());
        assertEquals(Status.Code.UNAUTHENTICATED, reflect(null));
        assertEquals(Status.Code.OK, reflect(keys.get("reader")));
    }

    @Test
    void aSubmitStreamJudgesEachCommandByTheStreamsKey() throws Exception
    {
        start();
        stub(keys.get("root")).enroll(EnrollRequest.newBuilder().setRequestId("e").setMemberId("m1").build());
        final Map<Long, io.jifen.ledger.api.v1.CommandResult> results = submit(keys.get("pos"),
            io.jifen.ledger.api.v1.Command.newBuilder().setCorrelationId(1).setEarn(EarnRequest.newBuilder()
                .setRequestId("s1").setMemberId("m1").setPoints(5)).build(),
            io.jifen.ledger.api.v1.Command.newBuilder().setCorrelationId(2).setAdjust(AdjustRequest.newBuilder()
                .setRequestId("s2").setMemberId("m1").setPoints(1_000_000).setReason("mine now")).build(),
            io.jifen.ledger.api.v1.Command.newBuilder().setCorrelationId(3).setEarn(EarnRequest.newBuilder()
                .setRequestId("s3").setMemberId("m1").setPoints(5).setProgramId("tea")).build());
        assertEquals(0, results.get(1L).getCode());
        assertEquals(Status.Code.PERMISSION_DENIED.value(), results.get(2L).getCode(), results.get(2L).toString());
        assertEquals(Status.Code.PERMISSION_DENIED.value(), results.get(3L).getCode(), results.get(3L).toString());
        assertEquals(5, stub(keys.get("root")).getBalance(GetBalanceRequest.newBuilder().setMemberId("m1").build())
            .getAvailable());
    }

    /** Sends the commands on one Submit stream with the key and waits for its end: the results by correlation id. */
    private Map<Long, io.jifen.ledger.api.v1.CommandResult> submit(final String key,
        final io.jifen.ledger.api.v1.Command... commands) throws Exception
    {
        final Map<Long, io.jifen.ledger.api.v1.CommandResult> results =
            new java.util.concurrent.ConcurrentSkipListMap<>();
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final StreamObserver<io.jifen.ledger.api.v1.Command> stream = LedgerGrpc.newStub(channel(key))
            .submit(new StreamObserver<>()
            {
                @Override
                public void onNext(final io.jifen.ledger.api.v1.CommandResult value)
                {
                    results.put(value.getCorrelationId(), value);
                }

                @Override
                public void onError(final Throwable t)
                {
                    done.completeExceptionally(t);
                }

                @Override
                public void onCompleted()
                {
                    done.complete(null);
                }
            });
        for (final io.jifen.ledger.api.v1.Command command : commands)
        {
            stream.onNext(command);
        }
        stream.onCompleted();
        done.get(20, TimeUnit.SECONDS);
        return results;
    }

    /**
     * Every write is journaled with the id of the key it came with, whichever way it came (a unary call, a Submit
     * stream, a program put by an admin); a retry by another key of the program is answered from the first write and
     * journals nothing; the server's own sweep names no key; and after a restart the journal, key ids included,
     * replays to the same records.
     */
    @Test
    void everyWriteIsJournaledWithTheKeyItCameWith() throws Exception
    {
        start();
        final LedgerGrpc.LedgerBlockingStub root = stub(keys.get("root"));
        root.enroll(EnrollRequest.newBuilder().setRequestId("k-enroll").setMemberId("m1").build());
        final EarnRequest earn = EarnRequest.newBuilder().setRequestId("k-earn").setMemberId("m1").setPoints(100)
            .build();
        stub(keys.get("pos")).earn(earn);
        assertTrue(stub(keys.get("admin")).earn(earn).getReplay(), "another key of the program retries it");
        stub(keys.get("admin")).adjust(AdjustRequest.newBuilder().setRequestId("k-adjust").setMemberId("m1")
            .setPoints(-10).setReason("goodwill").build());
        assertEquals(0, submit(keys.get("pos"), io.jifen.ledger.api.v1.Command.newBuilder().setCorrelationId(7)
            .setEarn(EarnRequest.newBuilder().setRequestId("k-stream").setMemberId("m1").setPoints(5)).build())
            .get(7L).getCode());
        root.putProgram(PutProgramRequest.newBuilder().setProgramYaml("version: 1\nname: juice\n").build());
        root.advanceClock(AdvanceClockRequest.newBuilder().setAdvanceMs(3 * 366 * 86_400_000L).build());

        final SubscribeRequest all = SubscribeRequest.newBuilder().setStopAtEnd(true).build();
        List<String> records = records(keys.get("root"), all);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (records.stream().noneMatch(json -> json.contains("\"type\":\"expire_tick\"")))
        {
            assertTrue(System.nanoTime() < deadline, "the sweep expired the lots: " + records);
            Thread.sleep(50);
            records = records(keys.get("root"), all);
        }
        final Map<String, String> keyOf = new TreeMap<>();
        final java.util.regex.Pattern keyId = java.util.regex.Pattern.compile("\"key_id\":\"([^\"]*)\"");
        for (final String json : records)
        {
            final java.util.regex.Matcher found = keyId.matcher(json);
            final String what = json.contains("\"request_id\":\"") ?
                json.replaceFirst(".*?\"request_id\":\"([^\"]*)\".*", "$1") :
                json.replaceFirst(".*?\"type\":\"([^\"]*)\".*", "$1") +
                    json.replaceFirst(".*?name: [^a-z]*([a-z]+).*|.*", " $1").stripTrailing();
            assertEquals(null, keyOf.put(what + " #" + keyOf.size(), found.find() ? found.group(1) : "(none)"));
        }
        final Map<String, String> byWhat = new TreeMap<>();
        keyOf.forEach((what, key) -> byWhat.merge(what.substring(0, what.indexOf(" #")), key, (a, b) -> a + "," + b));
        assertEquals("root", byWhat.get("k-enroll"), byWhat.toString());
        assertEquals("pos", byWhat.get("k-earn"), "one record, the first key's: " + byWhat);
        assertEquals("admin", byWhat.get("k-adjust"), byWhat.toString());
        assertEquals("pos", byWhat.get("k-stream"), byWhat.toString());
        assertTrue(events(keys.get("root"), all).stream().anyMatch(e -> e.getRequestId().equals("k-adjust") &&
            e.getKeyId().equals("admin")), "the event says the key too");
        assertEquals("(none)", byWhat.get("set_program tea"), "put in force at start by the server: " + byWhat);
        assertEquals("root", byWhat.get("set_program juice"), byWhat.toString());
        assertTrue(byWhat.get("expire_tick").matches("\\(none\\)(,\\(none\\))*"), byWhat.toString());

        server.close();
        server = null;
        serve();
        assertEquals(records, records(keys.get("root"), all), "the journal replays with its key ids");
    }

    /**
     * A sweep expires lots of both programs in one record, whose JSON names every member it touched: a key for coffee
     * alone does not get it (nor any record naming a tea member); a key for every program does.
     */
    @Test
    void aStreamShowsAKeyOnlyRecordsOfItsOwnPrograms() throws Exception
    {
        start();
        final LedgerGrpc.LedgerBlockingStub root = stub(keys.get("root"));
        for (final String program : List.of("coffee", "tea"))
        {
            root.enroll(EnrollRequest.newBuilder().setRequestId(program + "-e").setMemberId("m1")
                .setProgramId(program).build());
            root.earn(EarnRequest.newBuilder().setRequestId(program + "-x").setMemberId("m1").setPoints(100)
                .setProgramId(program).build());
        }
        root.advanceClock(AdvanceClockRequest.newBuilder().setAdvanceMs(3 * 366 * 86_400_000L).build());
        final SubscribeRequest coffee = SubscribeRequest.newBuilder().addProgramIds("coffee").setStopAtEnd(true)
            .build();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<String> asRoot = records(keys.get("root"), coffee);
        while (asRoot.stream().noneMatch(json -> json.contains("\"type\":\"expire_tick\"")))
        {
            assertTrue(System.nanoTime() < deadline, "the sweep expired the lots: " + asRoot);
            Thread.sleep(50);
            asRoot = records(keys.get("root"), coffee);
        }
        assertTrue(asRoot.stream().anyMatch(json -> json.contains("\"program\":\"tea\"")),
            "the sweep's record names the tea member too: " + asRoot);
        final List<String> asFinance = records(keys.get("finance"), coffee);
        assertTrue(asFinance.stream().anyMatch(json -> json.contains("coffee-x")), asFinance.toString());
        assertTrue(asFinance.stream().noneMatch(json -> json.contains("tea")), "no record naming tea: " + asFinance);
    }

    private List<io.jifen.ledger.api.v1.Event> events(final String key, final SubscribeRequest request)
        throws Exception
    {
        final List<io.jifen.ledger.api.v1.Event> events = new ArrayList<>();
        stub(key).subscribe(request).forEachRemaining(events::add);
        return events;
    }

    private List<String> records(final String key, final SubscribeRequest request) throws Exception
    {
        final List<String> records = new ArrayList<>();
        stub(key).subscribe(request).forEachRemaining(event -> records.add(event.getRecordJson()));
        return records;
    }

    @Test
    void keysOpenTheNetworkOnlyOverTls() throws Exception
    {
        start();
        server.close();
        server = null;
        final Path keysFile = dir.resolve("keys.yaml");
        final IllegalStateException clear = assertThrows(IllegalStateException.class, () -> new LedgerServer(
            new ServerConfig().host("0.0.0.0").port(0).data(dir.resolve("data")).keys(keysFile)).start());
        assertTrue(clear.getMessage().contains("in clear"), clear.getMessage());
        final TestAuthority.Issued serverCert = ca.server(dir.resolve("pki"));
        server = new LedgerServer(new ServerConfig().host("0.0.0.0").port(0).data(dir.resolve("data")).sandbox(true)
            .program(Program.parse(COFFEE), "test").addProgram(Program.parse(TEA), "test")
            .tls(serverCert.cert(), serverCert.key()).keys(keysFile)).start();
        assertEquals(Status.Code.UNAUTHENTICATED, assertThrows(StatusRuntimeException.class,
            () -> stub(null).getBalance(GetBalanceRequest.newBuilder().setMemberId("m1").build())).getStatus()
            .getCode());
        Files.writeString(keysFile, "keys:\n  - {id: x, sha256: abc, role: pos, programs: [coffee]}\n");
        final IllegalStateException bad = assertThrows(IllegalStateException.class, () -> new LedgerServer(
            new ServerConfig().port(0).data(dir.resolve("data2")).keys(keysFile)).start());
        assertTrue(bad.getMessage().contains("key 1 (x): sha256 must be 64 hex digits"), bad.getMessage());
    }

    /** Keys for each role on coffee, and "root": an admin of every program, each made with ledger keys new. */
    private void start() throws Exception
    {
        ca = new TestAuthority("Jifen test CA", dir.resolve("pki"));
        final StringBuilder file = new StringBuilder("keys:\n");
        for (final String role : List.of("pos", "reader", "finance", "admin", "root"))
        {
            final List<String> args = new ArrayList<>(List.of("keys", "new", "--id", role, "--role",
                role.equals("root") ? "admin" : role));
            args.addAll(role.equals("root") ? List.of("--all-programs") : List.of("--program", "coffee"));
            final String made = run(args.toArray(new String[0]));
            final String[] lines = made.split("\n");
            keys.put(role, lines[1].trim());
            file.append(lines[3]).append('\n');
        }
        Files.writeString(dir.resolve("keys.yaml"), file.toString());
        serve();
    }

    /** Starts the server on the data folder, with the keys and certificate {@link #start} made. */
    private void serve() throws Exception
    {
        final TestAuthority.Issued serverCert = ca.server(dir.resolve("pki"));
        server = new LedgerServer(new ServerConfig().port(0).data(dir.resolve("data")).sandbox(true)
            .program(Program.parse(COFFEE), "test").addProgram(Program.parse(TEA), "test")
            .tls(serverCert.cert(), serverCert.key()).keys(dir.resolve("keys.yaml"))).start();
    }

    private long balanceOfM1(final LedgerGrpc.LedgerBlockingStub root, final String program)
    {
        return root.getBalance(GetBalanceRequest.newBuilder().setMemberId("m1").setProgramId(program).build())
            .getAvailable();
    }

    /** Every RPC of the Ledger service but Submit, called on a program. */
    private Map<String, BiConsumer<LedgerGrpc.LedgerBlockingStub, String>> rpcs()
    {
        final Map<String, BiConsumer<LedgerGrpc.LedgerBlockingStub, String>> rpcs = new LinkedHashMap<>();
        rpcs.put("Enroll", (s, p) -> s.enroll(EnrollRequest.newBuilder().setRequestId(id()).setMemberId(id())
            .setProgramId(p).build()));
        rpcs.put("Earn", (s, p) -> s.earn(EarnRequest.newBuilder().setRequestId(id()).setMemberId("m1").setPoints(1)
            .setProgramId(p).build()));
        rpcs.put("Redeem", (s, p) -> s.redeem(RedeemRequest.newBuilder().setRequestId(id()).setMemberId("m2")
            .setPoints(1).setProgramId(p).build()));
        rpcs.put("Hold", (s, p) -> s.hold(HoldRequest.newBuilder().setRequestId(id()).setMemberId("m2").setPoints(1)
            .setProgramId(p).build()));
        rpcs.put("CaptureHold", (s, p) -> s.captureHold(CaptureHoldRequest.newBuilder().setRequestId(id())
            .setMemberId("m2").setHoldRequestId("no-such-hold").setProgramId(p).build()));
        rpcs.put("ReleaseHold", (s, p) -> s.releaseHold(ReleaseHoldRequest.newBuilder().setRequestId(id())
            .setMemberId("m2").setHoldRequestId("no-such-hold").setProgramId(p).build()));
        rpcs.put("Reverse", (s, p) -> s.reverse(ReverseRequest.newBuilder().setRequestId(id()).setMemberId("m2")
            .setOriginalRequestId("no-such-earn").setProgramId(p).build()));
        rpcs.put("Transfer", (s, p) -> s.transfer(TransferRequest.newBuilder().setRequestId(id()).setMemberId("m2")
            .setToMemberId("m1").setPoints(1).setProgramId(p).build()));
        rpcs.put("Exchange", (s, p) -> s.exchange(ExchangeRequest.newBuilder().setRequestId(id()).setMemberId("m2")
            .setProgramId(p).setToProgramId(p.equals("coffee") ? "tea" : "coffee").setToMemberId("m1")
            .setPoints(10).build()));
        rpcs.put("Adjust", (s, p) -> s.adjust(AdjustRequest.newBuilder().setRequestId(id()).setMemberId("m1")
            .setPoints(1_000_000).setReason("test").setProgramId(p).build()));
        rpcs.put("SetMemberStatus", (s, p) -> s.setMemberStatus(SetMemberStatusRequest.newBuilder()
            .setRequestId(id()).setMemberId("m2").setStatus(MemberStatus.MEMBER_STATUS_ACTIVE).setProgramId(p)
            .build()));
        rpcs.put("SetTier", (s, p) -> s.setTier(SetTierRequest.newBuilder().setRequestId(id()).setMemberId("m2")
            .setTier(Tier.TIER_GOLD).setProgramId(p).build()));
        rpcs.put("ImportRow", (s, p) -> s.importRow(ImportRequest.newBuilder().setRequestId(id()).setMemberId(id())
            .setPoints(5).setEarnedAtMs(System.currentTimeMillis() - 1000)
            .setExpiresAtMs(System.currentTimeMillis() + 86_400_000L).setProgramId(p).build()));
        rpcs.put("GetBalance", (s, p) -> s.getBalance(GetBalanceRequest.newBuilder().setMemberId("m1")
            .setProgramId(p).build()));
        rpcs.put("CheckTier", (s, p) -> s.checkTier(CheckTierRequest.newBuilder().setMemberId("m1")
            .setMinTier(Tier.TIER_SILVER).setProgramId(p).build()));
        rpcs.put("GetMember", (s, p) -> s.getMember(GetMemberRequest.newBuilder().setMemberId("m1").setProgramId(p)
            .build()));
        rpcs.put("ListLots", (s, p) -> s.listLots(ListLotsRequest.newBuilder().setMemberId("m1").setProgramId(p)
            .build()));
        rpcs.put("ListHistory", (s, p) -> s.listHistory(ListHistoryRequest.newBuilder().setMemberId("m1")
            .setProgramId(p).setPageSize(5).build()));
        rpcs.put("ListExpiring", (s, p) -> s.listExpiring(ListExpiringRequest.newBuilder().setProgramId(p)
            .setWithinDays(400).setMinPoints(1).setLimit(10).build()));
        rpcs.put("Subscribe", (s, p) -> s.subscribe(SubscribeRequest.newBuilder().addProgramIds(p)
            .setStopAtEnd(true).build()).forEachRemaining(e -> { }));
        rpcs.put("PutProgram", (s, p) -> s.putProgram(PutProgramRequest.newBuilder()
            .setProgramYaml("version: 1\nname: " + p + "\n").build()));
        rpcs.put("AdvanceClock", (s, p) -> s.advanceClock(AdvanceClockRequest.newBuilder().setAdvanceMs(1).build()));
        return rpcs;
    }

    private String id()
    {
        return "r" + requests.incrementAndGet();
    }

    private Status.Code reflect(final String key) throws Exception
    {
        final CompletableFuture<Status.Code> outcome = new CompletableFuture<>();
        final StreamObserver<ServerReflectionRequest> request = ServerReflectionGrpc.newStub(channel(key))
            .serverReflectionInfo(new StreamObserver<>()
            {
                @Override
                public void onNext(final ServerReflectionResponse value)
                {
                    outcome.complete(Status.Code.OK);
                }

                @Override
                public void onError(final Throwable t)
                {
                    outcome.complete(Status.fromThrowable(t).getCode());
                }

                @Override
                public void onCompleted()
                {
                    outcome.complete(Status.Code.OK);
                }
            });
        request.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
        request.onCompleted();
        return outcome.get(10, TimeUnit.SECONDS);
    }

    private LedgerGrpc.LedgerBlockingStub stub(final String key) throws Exception
    {
        return LedgerGrpc.newBlockingStub(channel(key)).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    private ManagedChannel channel(final String key) throws Exception
    {
        final NettyChannelBuilder builder = NettyChannelBuilder.forAddress("localhost", server.port())
            .sslContext(GrpcSslContexts.forClient().trustManager(ca.cert.toFile()).build());
        if (null != key)
        {
            final Metadata headers = new Metadata();
            headers.put(ApiKeys.AUTHORIZATION, "Bearer " + key);
            builder.intercept(MetadataUtils.newAttachHeadersInterceptor(headers));
        }
        final ManagedChannel channel = builder.build();
        channels.add(channel);
        return channel;
    }

    private static String run(final String... args) throws Exception
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8))
        {
            assertEquals(0, LedgerMain.run(args, out, out));
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
