package io.jifen.ledger.server;

import java.io.PrintStream;
import java.util.Deque;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.jifen.ledger.api.v1.Event;
import io.jifen.ledger.api.v1.LedgerGrpc;
import io.jifen.ledger.api.v1.SubscribeRequest;

/**
 * {@code ledger journal tail}: a running server's change stream (Subscribe) as JSON lines, one record each, the format
 * of {@code journal dump}. With {@code --follow} it keeps following, and resumes after the last record it printed
 * when the server goes away and comes back (no line twice, none missing); without, it stops at the journal's end.
 */
final class JournalTail
{
    static final String USAGE = String.join("\n",
        "usage: ledger journal tail [--server HOST:PORT] [--after SEQUENCE] [--program NAME]... [--type TYPE]...",
        "                           [--follow]",
        "  --server HOST:PORT  the server (default 127.0.0.1:9090)",
        "  --after SEQUENCE    print the records after this one (default 0: from the first)",
        "  --program NAME      only records of this program (repeat for several; sweeps always pass)",
        "  --type TYPE         only records of this type: earn, redeem, expire_tick, ... (repeat for several)",
        "  --follow            keep printing records as they are journaled; reconnect when the server restarts",
        ClientTls.USAGE);
    private static final long RECONNECT_MS = 1_000;

    private JournalTail()
    {
    }

    static int run(final Deque<String> args, final PrintStream out, final PrintStream err) throws InterruptedException
    {
        String server = "127.0.0.1:9090";
        final ClientTls tls = new ClientTls();
        final SubscribeRequest.Builder request = SubscribeRequest.newBuilder();
        boolean follow = false;
        while (!args.isEmpty())
        {
            final String option = args.pop();
            switch (option)
            {
                case "--server" -> server = value(option, args);
                case "--after" -> request.setAfterSequence(Long.parseLong(value(option, args)));
                case "--program" -> request.addProgramIds(value(option, args));
                case "--type" -> request.addTypes(value(option, args));
                case "--follow" -> follow = true;
                case "-h", "--help" ->
                {
                    out.println(USAGE);
                    return 0;
                }
                default ->
                {
                    if (!tls.option(option, args))
                    {
                        throw new IllegalArgumentException("unknown option '" + option + "' for journal tail");
                    }
                }
            }
        }
        request.setStopAtEnd(!follow);
        final ManagedChannel channel = tls.channel(server);
        try
        {
            return tail(LedgerGrpc.newBlockingStub(channel), request, follow, out, err);
        }
        finally
        {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
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
                    return 1;
                }
                Thread.sleep(RECONNECT_MS); // the server is restarting: resume after the last record printed
            }
        }
    }

    private static String value(final String option, final Deque<String> args)
    {
        if (args.isEmpty())
        {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args.pop();
    }
}
