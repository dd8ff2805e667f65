package io.jifen.ledger.server;

import java.util.Map;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.jifen.ledger.core.Command;
import io.jifen.ledger.core.ResultCode;

/**
 * Errors a client can act on: every failed call carries, beside its status and message, a {@code google.rpc.ErrorInfo}
 * with a stable reason (a {@link ResultCode} name for what the ledger decides, or one of the server's own, listed in
 * the .proto), the domain {@value #DOMAIN} and metadata (the field, and the figure that explains it); an
 * INVALID_ARGUMENT also carries a {@code google.rpc.BadRequest} naming the field. The message stays what it was.
 */
final class Errors
{
    static final String DOMAIN = "jifen.dev";

    private Errors()
    {
    }

    /** The error of a command the ledger (or the server's edge checks) refused. */
    static StatusRuntimeException of(final Command c)
    {
        final Status status = Results.status(c);
        final ResultCode rc = c.result;
        final ErrorInfo.Builder info = ErrorInfo.newBuilder().setReason(rc.name()).setDomain(DOMAIN)
            .putMetadata("code", Integer.toString(rc.code()));
        final String field = Results.field(rc, c);
        if (null != field)
        {
            info.putMetadata("field", field);
        }
        if (c.resultDetail != 0)
        {
            info.putMetadata("detail", Long.toString(c.resultDetail));
        }
        final StatusRuntimeException error = build(status.getCode(), status.getDescription(), info.build(), field);
        if (rc != ResultCode.OVERLOADED)
        {
            return error;
        }
        // the standard hint generic clients and proxies read
        final com.google.rpc.Status proto = StatusProto.fromThrowable(error);
        return StatusProto.toStatusRuntimeException(proto.toBuilder().addDetails(Any.pack(com.google.rpc.RetryInfo
            .newBuilder().setRetryDelay(com.google.protobuf.Duration.newBuilder()
                .setSeconds(c.resultDetail / 1000).setNanos((int)(c.resultDetail % 1000) * 1_000_000)).build()))
            .build());
    }

    /** The same, with another message (the figures the caller's context adds). */
    static StatusRuntimeException of(final Command c, final String message)
    {
        final StatusRuntimeException plain = of(c);
        final com.google.rpc.Status proto = StatusProto.fromThrowable(plain);
        return StatusProto.toStatusRuntimeException(proto.toBuilder().setMessage(message).build());
    }

    /**
     * An error the server decides itself (not a ledger command's outcome).
     *
     * @param field the request field it is about, or null.
     */
    static StatusRuntimeException of(final Status.Code code, final String reason, final String field,
        final String message)
    {
        final ErrorInfo.Builder info = ErrorInfo.newBuilder().setReason(reason).setDomain(DOMAIN);
        if (null != field)
        {
            info.putMetadata("field", field);
        }
        return build(code, message, info.build(), field);
    }

    /** The same with metadata of its own (figures a client may act on, e.g. a limit). */
    static StatusRuntimeException of(final Status.Code code, final String reason, final String message,
        final Map<String, String> metadata)
    {
        return build(code, message, ErrorInfo.newBuilder().setReason(reason).setDomain(DOMAIN)
            .putAllMetadata(metadata).build(), null);
    }

    /** @return the field a "field: reason" message names, or null. */
    static String fieldOf(final String message)
    {
        final int colon = null == message ? -1 : message.indexOf(": ");
        return colon > 0 && message.substring(0, colon).matches("[a-z_.]+") ? message.substring(0, colon) : null;
    }

    private static StatusRuntimeException build(final Status.Code code, final String message, final ErrorInfo info,
        final String field)
    {
        final com.google.rpc.Status.Builder status = com.google.rpc.Status.newBuilder().setCode(code.value())
            .setMessage(null == message ? "" : message).addDetails(Any.pack(info));
        if (code == Status.Code.INVALID_ARGUMENT && null != field)
        {
            status.addDetails(Any.pack(BadRequest.newBuilder().addFieldViolations(BadRequest.FieldViolation
                .newBuilder().setField(field).setDescription(null == message ? "" : message)).build()));
        }
        return StatusProto.toStatusRuntimeException(status.build());
    }
}
