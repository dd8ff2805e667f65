package io.jifen.ledger.server;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.jifen.ledger.api.v1.Command;
import io.jifen.ledger.api.v1.CommandBatch;
import io.jifen.ledger.api.v1.CommandResult;
import io.jifen.ledger.api.v1.EarnRequest;
import io.jifen.ledger.api.v1.EnrollRequest;
import io.jifen.ledger.api.v1.GetBalanceRequest;
import io.jifen.ledger.api.v1.RedeemRequest;
import io.jifen.ledger.client.LedgerClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Java client against a real server over a real socket: many callers' commands batched on their own, each
 * answered on its own and in order per member; a stream broken by a server killed mid-run fails only the commands it
 * left unanswered, and their retries with the same request ids apply each write exactly once.
 */
class LedgerClientIT
{
    @TempDir
    Path data;

    private static Command enroll(final String member)
    {
        return Command.newBuilder().setEnroll(EnrollRequest.newBuilder().setRequestId("enroll-" + member)
            .setMemberId(member)).build();
    }

    private static Command earn(final String member, final int k, final long points)
    {
        return Command.newBuilder().setEarn(EarnRequest.newBuilder().setRequestId("earn-" + member + "-" + k)
            .setMemberId(member).setPoints(points)).build();
    }

    private static Command balance(final String member)
    {
        return Command.newBuilder().setGetBalance(GetBalanceRequest.newBuilder().setMemberId(member)).build();
    }

    /**
     * Eight threads each enroll 25 members and submit, without waiting for any answer, 20 earns, a redemption of
     * more than they earned and a balance read for each: the client batches them, and every answer is what the rules
     * say for that member's commands in the order they were submitted.
     */
    @Test
    void concurrentCallersAreBatchedAndEachCommandIsAnsweredInOrderPerMember() throws Exception
    {
        final int threads = 8;
        final int membersPerThread = 25;
        final int earns = 20;
        try (InProcessServer server = InProcessServer.start(new ServerConfig().data(data));
            LedgerClient client = LedgerClient.forTarget("127.0.0.1:" + server.port()).build())
        {
            final ExecutorService callers = Executors.newFixedThreadPool(threads);
            final List<Future<Map<String, List<CompletableFuture<CommandResult>>>>> submitted = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final int thread = t;
                submitted.add(callers.submit(() ->
                {
                    final Map<String, List<CompletableFuture<CommandResult>>> byMember = new HashMap<>();
                    for (int m = 0; m < membersPerThread; m++)
                    {
                        final String member = "c" + thread + "-" + m;
                        final List<CompletableFuture<CommandResult>> answers = new ArrayList<>();
                        answers.add(client.submit(enroll(member)));
                        for (int k = 0; k < earns; k++)
                        {
                            answers.add(client.submit(earn(member, k, k + 1)));
                        }
                        answers.add(client.submit(Command.newBuilder().setRedeem(RedeemRequest.newBuilder()
                            .setRequestId("redeem-" + member).setMemberId(member).setPoints(10_000)).build()));
                        answers.add(client.submit(balance(member)));
                        byMember.put(member, answers);
                    }
                    return byMember;
                }));
            }
            int commands = 0;
            for (final Future<Map<String, List<CompletableFuture<CommandResult>>>> thread : submitted)
            {
                for (final Map.Entry<String, List<CompletableFuture<CommandResult>>> member :
                    thread.get(60, TimeUnit.SECONDS).entrySet())
                {
                    final List<CompletableFuture<CommandResult>> answers = member.getValue();
                    commands += answers.size();
                    assertEquals(0, answers.get(0).get(30, TimeUnit.SECONDS).getCode(), member.getKey());
                    long expected = 0;
                    for (int k = 0; k < earns; k++)
                    {
                        final CommandResult earned = answers.get(1 + k).get(30, TimeUnit.SECONDS);
                        expected += k + 1;
                        assertEquals(0, earned.getCode(), earned.toString());
                        assertEquals(expected, earned.getWrite().getBalance(), member.getKey() + " earn " + k);
                    }
                    final CommandResult redeemed = answers.get(earns + 1).get(30, TimeUnit.SECONDS);
                    assertEquals(Status.Code.FAILED_PRECONDITION.value(), redeemed.getCode(), redeemed.toString());
                    assertEquals("INSUFFICIENT_POINTS", redeemed.getReason(), redeemed.toString());
                    final CommandResult read = answers.get(earns + 2).get(30, TimeUnit.SECONDS);
                    assertEquals(expected, read.getBalance().getAvailable(), member.getKey() + " balance");
                    assertEquals(expected, server.ledger().getBalance(GetBalanceRequest.newBuilder()
                        .setMemberId(member.getKey()).build()).getAvailable(), "the unary read agrees");
                }
            }
            callers.shutdown();
            final LedgerClient.Stats stats = client.stats();
            assertEquals(commands, stats.commands());
            System.out.println("client: " + stats.commands() + " commands in " + stats.messages() + " messages");
            assertTrue(stats.messages() * 4 < stats.commands(), "batched: " + stats);
        }
    }

    /**
     * A server killed (SIGKILL) while a caller keeps submitting earns: the commands it left unanswered fail with
     * UNAVAILABLE, and when they are submitted again with the same request ids to the server restarted on the same
     * data, none is lost or applied twice: each member's balance is the sum of its earns, once each.
     */
    @Test
    void commandsUnansweredWhenTheServerDiesFailAndTheirRetriesApplyOnce() throws Exception
    {
        final int members = 20;
        final List<Command> all = new ArrayList<>();
        final List<CompletableFuture<CommandResult>> answers = new ArrayList<>();
        try (ServerProcess first = ServerProcess.start(data);
            LedgerClient client = LedgerClient.forTarget("127.0.0.1:" + first.awaitPort())
                .closeTimeout(java.time.Duration.ofSeconds(5)).build())
        {
            final List<Command> enrollments = new ArrayList<>();
            for (int m = 0; m < members; m++)
            {
                enrollments.add(enroll("k" + m));
            }
            assertTrue(answerAll(client, enrollments).stream().allMatch(r -> r.getCode() == 0));
            for (int k = 0; k < 7_000; k++)
            {
                final Command command = earn("k" + k % members, k, 1 + k % 7);
                all.add(command);
                answers.add(client.submit(command));
                if (k == 4_000)
                {
                    answers.get(2_999).get(30, TimeUnit.SECONDS); // thousands answered before the kill
                }
                if (k == 5_000)
                {
                    first.kill(); // with earns in flight, and more to come for a server that is gone
                }
            }
            CompletableFuture.allOf(answers.stream().map(a -> a.exceptionally(failure -> null))
                .toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        }
        final List<Command> retries = new ArrayList<>();
        int acknowledged = 0;
        for (int i = 0; i < all.size(); i++)
        {
            try
            {
                final CommandResult result = answers.get(i).join();
                if (result.getCode() == 0)
                {
                    acknowledged++;
                }
                else
                {
                    assertEquals("OVERLOADED", result.getReason(), result.toString()); // shed: not applied
                    retries.add(all.get(i));
                }
            }
            catch (final CompletionException ex)
            {
                final Status status = Status.fromThrowable(ex.getCause());
                assertEquals(Status.Code.UNAVAILABLE, status.getCode(), status.toString());
                retries.add(all.get(i));
            }
        }
        assertTrue(acknowledged > 0 && !retries.isEmpty(), acknowledged + " answered, " + retries.size() + " not");

        try (ServerProcess second = ServerProcess.start(data);
            LedgerClient client = LedgerClient.forTarget("127.0.0.1:" + second.awaitPort()).build())
        {
            final List<CommandResult> again = answerAll(client, retries);
            long replays = 0;
            for (final CommandResult result : again)
            {
                assertEquals(0, result.getCode(), result.toString());
                replays += result.getWrite().getReplay() ? 1 : 0;
            }
            System.out.println("killed: " + acknowledged + " earns answered, " + retries.size() +
                " submitted again, of which " + replays + " had been applied before the kill");
            final Map<String, Long> expected = new HashMap<>();
            for (final Command command : all)
            {
                expected.merge(command.getEarn().getMemberId(), command.getEarn().getPoints(), Long::sum);
            }
            for (final Map.Entry<String, Long> member : expected.entrySet())
            {
                assertEquals(member.getValue().longValue(), client.submit(balance(member.getKey()))
                    .get(30, TimeUnit.SECONDS).getBalance().getAvailable(), member.getKey() + " (" + replays +
                    " of " + retries.size() + " retries were replays)");
            }
        }
    }

    /**
     * Submits the commands and waits for their answers, submitting again (same request ids) those the server shed
     * as OVERLOADED, which applies nothing: a server just started may shed a burst before it has measured its pace.
     */
    private static List<CommandResult> answerAll(final LedgerClient client, final List<Command> commands)
        throws Exception
    {
        final CommandResult[] results = new CommandResult[commands.size()];
        for (int round = 0; round < 20; round++)
        {
            final Map<Integer, CompletableFuture<CommandResult>> sent = new HashMap<>();
            for (int i = 0; i < commands.size(); i++)
            {
                if (null == results[i] || "OVERLOADED".equals(results[i].getReason()))
                {
                    sent.put(i, client.submit(commands.get(i)));
                }
            }
            if (sent.isEmpty())
            {
                break;
            }
            for (final Map.Entry<Integer, CompletableFuture<CommandResult>> answer : sent.entrySet())
            {
                results[answer.getKey()] = answer.getValue().get(60, TimeUnit.SECONDS);
            }
            Thread.sleep(100);
        }
        return List.of(results);
    }

    /**
     * Over real TLS, with an API key: a client that trusts the server's CA and sends a key of the pos role is
     * answered; one without the key has its command failed UNAUTHENTICATED, nothing applied.
     */
    @Test
    void overTlsWithAnApiKey() throws Exception
    {
        final TestAuthority ca = new TestAuthority("Jifen test CA", data.resolve("pki"));
        final TestAuthority.Issued cert = ca.server(data.resolve("pki"));
        final java.io.ByteArrayOutputStream made = new java.io.ByteArrayOutputStream();
        try (java.io.PrintStream out = new java.io.PrintStream(made, true, java.nio.charset.StandardCharsets.UTF_8))
        {
            assertEquals(0, LedgerMain.run(new String[] {"keys", "new", "--id", "pos", "--role", "pos",
                "--all-programs"}, out, out));
        }
        final String[] lines = made.toString(java.nio.charset.StandardCharsets.UTF_8).split("\n");
        java.nio.file.Files.writeString(data.resolve("keys.yaml"), "keys:\n" + lines[3] + "\n");
        final LedgerServer server = new LedgerServer(new ServerConfig().port(0).data(data.resolve("data"))
            .tls(cert.cert(), cert.key()).keys(data.resolve("keys.yaml"))).start();
        try (LedgerClient keyed = LedgerClient.forTarget("localhost:" + server.port()).tls(ca.cert.toFile())
                .apiKey(lines[1].trim()).build();
            LedgerClient keyless = LedgerClient.forTarget("localhost:" + server.port()).tls(ca.cert.toFile()).build())
        {
            assertEquals(0, keyed.submit(enroll("t1")).get(30, TimeUnit.SECONDS).getCode());
            assertEquals(7, keyed.submit(earn("t1", 0, 7)).get(30, TimeUnit.SECONDS).getWrite().getBalance());
            final CompletionException refused = assertThrows(CompletionException.class,
                () -> keyless.submit(earn("t1", 1, 5)).join());
            assertEquals(Status.Code.UNAUTHENTICATED, Status.fromThrowable(refused.getCause()).getCode());
            assertEquals(7, keyed.submit(balance("t1")).get(30, TimeUnit.SECONDS).getBalance().getAvailable());
        }
        finally
        {
            server.close();
        }
    }

    @Test
    void badUseIsRefusedAtOnce() throws Exception
    {
        assertThrows(IllegalArgumentException.class, () -> LedgerClient.forTarget("127.0.0.1:1").maxBatch(4097));
        assertThrows(IllegalArgumentException.class, () -> LedgerClient.forTarget("127.0.0.1:1").maxBatch(0));
        assertThrows(IllegalArgumentException.class, () -> LedgerClient.forTarget(" "));
        final LedgerClient client = LedgerClient.forTarget("127.0.0.1:1").build();
        final IllegalArgumentException batch = assertThrows(IllegalArgumentException.class, () -> client.submit(
            Command.newBuilder().setBatch(CommandBatch.newBuilder().addCommands(balance("x"))).build()));
        assertTrue(batch.getMessage().startsWith("command: a batch"), batch.getMessage());
        assertThrows(IllegalArgumentException.class, () -> client.submit(Command.getDefaultInstance()));
        // nothing listens on port 1: the command fails with UNAVAILABLE, it is not lost in a queue
        final CompletionException unavailable = assertThrows(CompletionException.class,
            () -> client.submit(balance("x")).join());
        assertEquals(Status.Code.UNAVAILABLE, ((StatusRuntimeException)unavailable.getCause()).getStatus().getCode());
        client.close();
        assertThrows(IllegalStateException.class, () -> client.submit(balance("x")));
    }
}
