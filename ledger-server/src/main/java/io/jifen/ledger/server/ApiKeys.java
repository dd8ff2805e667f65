package io.jifen.ledger.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The server's API keys, from a YAML file of their SHA-256 hashes (the keys themselves are never stored), and the
 * interceptor that admits a call only with one: {@code authorization: Bearer KEY} as gRPC metadata. A missing or
 * unknown key is UNAUTHENTICATED; the health service stays open to all (load balancers probe it without keys).
 * <pre>
 * keys:
 *   - {id: pos-shanghai-01, sha256: 9f86d081..., role: pos, programs: [coffee]}
 *   - {id: finance, sha256: 60303ae2..., role: finance, programs: ['*']}
 * </pre>
 */
final class ApiKeys implements ServerInterceptor
{
    static final Metadata.Key<String> AUTHORIZATION =
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final String BEARER = "Bearer ";
    private static final String OPEN_SERVICE = "grpc.health.v1.Health";
    /** The longest key id: it is journaled with every write the key sends (record version 4). */
    static final int KEY_ID_LENGTH_MAX = 64;
    private static final String KEY_ID_PATTERN = "[A-Za-z0-9._-]{1," + KEY_ID_LENGTH_MAX + "}";

    private final Map<String, Caller> byHash;

    private ApiKeys(final Map<String, Caller> byHash)
    {
        this.byHash = byHash;
    }

    /** @throws IllegalArgumentException naming the key and field at fault. */
    static ApiKeys load(final Path file) throws IOException
    {
        final Object document;
        try
        {
            document = new Load(LoadSettings.builder().setLabel(file.toString()).build())
                .loadFromString(Files.readString(file, StandardCharsets.UTF_8));
        }
        catch (final YamlEngineException ex)
        {
            throw new IllegalArgumentException(file + ": not YAML: " + ex.getMessage(), ex);
        }
        if (!(document instanceof Map<?, ?> root) || !(root.get("keys") instanceof List<?> keys) || keys.isEmpty())
        {
            throw new IllegalArgumentException(file + ": expected 'keys:' and a list of keys");
        }
        final Map<String, Caller> byHash = new HashMap<>();
        final Set<String> ids = new LinkedHashSet<>();
        for (int i = 0; i < keys.size(); i++)
        {
            final String where = file + ": key " + (i + 1);
            if (!(keys.get(i) instanceof Map<?, ?> key))
            {
                throw new IllegalArgumentException(where + ": expected id, sha256, role and programs");
            }
            final String id = text(key, "id", where);
            if (!id.matches(KEY_ID_PATTERN))
            {
                throw new IllegalArgumentException(where + ": id must be 1 to " + KEY_ID_LENGTH_MAX + " letters, " +
                    "digits, '.', '_' or '-' (it is journaled with every write the key sends): " + id);
            }
            final String hash = text(key, "sha256", where).toLowerCase(Locale.ROOT);
            if (!hash.matches("[0-9a-f]{64}"))
            {
                throw new IllegalArgumentException(where + " (" + id + "): sha256 must be 64 hex digits");
            }
            final Caller.Role role;
            try
            {
                role = Caller.Role.valueOf(text(key, "role", where).toUpperCase(Locale.ROOT));
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException(where + " (" + id + "): role must be pos, reader, finance or admin");
            }
            if (!(key.get("programs") instanceof List<?> programs) || programs.isEmpty())
            {
                throw new IllegalArgumentException(where + " (" + id + "): programs must list the programs it may " +
                    "act on (their names), or ['*'] for all");
            }
            final Set<String> names = new LinkedHashSet<>();
            for (final Object program : programs)
            {
                names.add(String.valueOf(program));
            }
            if (!ids.add(id) || null != byHash.put(hash, new Caller(id, role,
                names.contains("*") ? null : Set.copyOf(names))))
            {
                throw new IllegalArgumentException(where + " (" + id + "): an id or key listed twice");
            }
        }
        return new ApiKeys(byHash);
    }

    private static String text(final Map<?, ?> key, final String field, final String where)
    {
        final Object value = key.get(field);
        if (null == value || String.valueOf(value).isBlank())
        {
            throw new IllegalArgumentException(where + ": " + field + " is required");
        }
        return String.valueOf(value).trim();
    }

    int size()
    {
        return byHash.size();
    }

    /** @return the caller a presented key is, or null. */
    Caller find(final String key)
    {
        return byHash.get(sha256(key));
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(final ServerCall<Q, R> call, final Metadata headers,
        final ServerCallHandler<Q, R> next)
    {
        if (OPEN_SERVICE.equals(call.getMethodDescriptor().getServiceName()))
        {
            return next.startCall(call, headers);
        }
        final String authorization = headers.get(AUTHORIZATION);
        final Caller caller = null != authorization && authorization.startsWith(BEARER) ?
            find(authorization.substring(BEARER.length()).trim()) : null;
        if (null == caller)
        {
            final io.grpc.StatusRuntimeException error = null == authorization ?
                Errors.of(Status.Code.UNAUTHENTICATED, "API_KEY_MISSING", null,
                    "no API key: send it as gRPC metadata 'authorization: Bearer KEY'") :
                Errors.of(Status.Code.UNAUTHENTICATED, "API_KEY_UNKNOWN", null, "unknown API key");
            call.close(error.getStatus(), error.getTrailers());
            return new ServerCall.Listener<>()
            {
            };
        }
        return Contexts.interceptCall(Context.current().withValue(Caller.KEY, caller), call, headers, next);
    }

    static String sha256(final String key)
    {
        try
        {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(key.getBytes(StandardCharsets.UTF_8)));
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    @Command(name = "new", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"A new random API key for a client, printed once, and the line of the keys file (ledger " +
            "serve --keys FILE) that admits it: only its SHA-256 hash is kept."})
    static final class NewKey implements java.util.concurrent.Callable<Integer>
    {
        private final LedgerCli cli;
        @Option(names = "--id", paramLabel = "ID", required = true,
            description = "the key's name, journaled with every write it sends: 1 to " + KEY_ID_LENGTH_MAX +
                " letters, digits, '.', '_' or '-'")
        String id;
        @Option(names = "--role", paramLabel = "ROLE", required = true,
            description = "pos, reader, finance or admin (README, Security)")
        String role;
        @Option(names = "--program", paramLabel = "NAME", description = "a program it may act on (repeat for several)")
        List<String> programs = new ArrayList<>();
        @Option(names = "--all-programs", description = "every program, present and future")
        boolean allPrograms;

        NewKey(final LedgerCli cli)
        {
            this.cli = cli;
        }

        @Override
        public Integer call()
        {
            if (allPrograms)
            {
                programs.add("*");
            }
            return newKey(id, role.toLowerCase(Locale.ROOT), programs, cli.out);
        }
    }

    /** Prints a new key and its line of the keys file. */
    static int newKey(final String id, final String role, final List<String> programs, final java.io.PrintStream out)
    {
        if (null == id || !id.matches(KEY_ID_PATTERN))
        {
            throw new IllegalArgumentException("--id must be 1 to " + KEY_ID_LENGTH_MAX + " letters, digits, '.', " +
                "'_' or '-'");
        }
        if (null == role || !List.of("pos", "reader", "finance", "admin").contains(role))
        {
            throw new IllegalArgumentException("--role must be pos, reader, finance or admin");
        }
        if (programs.isEmpty())
        {
            throw new IllegalArgumentException("name the programs it may act on (--program NAME, repeated) or " +
                "--all-programs");
        }
        final byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        final String key = "jfk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        out.println("key (give it to the client now: only its hash is kept):");
        out.println("  " + key);
        out.println("add to the keys file (ledger serve --keys FILE):");
        out.println("  - {id: " + id + ", sha256: " + sha256(key) + ", role: " + role + ", programs: [" +
            String.join(", ", programs.stream().map(p -> "'" + p.replace("'", "''") + "'").toList()) + "]}");
        return 0;
    }
}
