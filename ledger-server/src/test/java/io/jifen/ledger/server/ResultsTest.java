package io.jifen.ledger.server;

import io.grpc.Status;
import io.jifen.ledger.core.Command;
import io.jifen.ledger.core.CommandType;
import io.jifen.ledger.core.ResultCode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every result code reaches the client as the documented gRPC status, its message naming the field.
 */
class ResultsTest
{
    @Test
    void everyResultCodeMapsToItsStatusAndNamesItsField()
    {
        for (final ResultCode rc : ResultCode.values())
        {
            if (rc == ResultCode.OK)
            {
                continue;
            }
            final Command c = new Command();
            c.type = CommandType.EARN;
            c.result = rc;
            final Status status = Results.status(c);
            final Status.Code[] byCategory = {
                Status.Code.OK, Status.Code.INVALID_ARGUMENT, Status.Code.NOT_FOUND, Status.Code.FAILED_PRECONDITION,
                Status.Code.ALREADY_EXISTS, Status.Code.RESOURCE_EXHAUSTED, Status.Code.UNAVAILABLE,
                Status.Code.PERMISSION_DENIED, Status.Code.DEADLINE_EXCEEDED};
            final Status.Code expected = byCategory[rc.category()];
            assertEquals(expected, status.getCode(), rc.name());
            if (null != rc.field())
            {
                assertTrue(status.getDescription().startsWith(rc.field() + ": "), rc + ": " + status.getDescription());
            }
        }
    }

    @Test
    void ringFullIsResourceExhaustedAndSaysToRetryWithTheSameRequestId()
    {
        final Command c = new Command();
        c.result = ResultCode.RING_FULL;
        final Status status = Results.status(c);
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, status.getCode());
        assertTrue(status.getDescription().contains("retry with the same request_id"), status.getDescription());
    }

    @Test
    void insufficientPointsStatesTheAvailableBalance()
    {
        final Command c = new Command();
        c.type = CommandType.REDEEM;
        c.points = 2000;
        c.result = ResultCode.INSUFFICIENT_POINTS;
        c.resultDetail = 1200;
        assertEquals("points: insufficient points: 1200 available, 2000 requested", Results.status(c).getDescription());
    }
}
