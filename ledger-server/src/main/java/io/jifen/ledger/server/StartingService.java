package io.jifen.ledger.server;

import java.util.function.LongSupplier;

import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.jifen.ledger.api.v1.LedgerGrpc;

/**
 * The ledger service while the journal is replayed: every call answers UNAVAILABLE, reason STARTING, with the records
 * replayed so far; the server puts the real service in its place once the ledger is rebuilt.
 */
final class StartingService
{
    private StartingService()
    {
    }

    static ServerServiceDefinition definition(final LongSupplier replayedRecords)
    {
        final ServerServiceDefinition.Builder builder = ServerServiceDefinition.builder(
            LedgerGrpc.getServiceDescriptor());
        for (final MethodDescriptor<?, ?> method : LedgerGrpc.getServiceDescriptor().getMethods())
        {
            add(builder, method, replayedRecords);
        }
        return builder.build();
    }

    private static <ReqT, RespT> void add(final ServerServiceDefinition.Builder builder,
        final MethodDescriptor<ReqT, RespT> method, final LongSupplier replayedRecords)
    {
        builder.addMethod(method, (call, headers) ->
        {
            final StatusRuntimeException error = Errors.of(Status.Code.UNAVAILABLE, "STARTING", null,
                "the ledger is replaying its journal (" + replayedRecords.getAsLong() + " records so far); " +
                "retry shortly with the same request_id");
            call.close(error.getStatus(), null == error.getTrailers() ? new Metadata() : error.getTrailers());
            return new ServerCall.Listener<ReqT>()
            {
            };
        });
    }
}
