package io.jifen.ledger.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.jifen.ledger.api.v1.EarnRequest;
import io.jifen.ledger.api.v1.EnrollRequest;
import io.jifen.ledger.api.v1.GetBalanceRequest;
import io.jifen.ledger.api.v1.LedgerGrpc;
import io.jifen.ledger.api.v1.WriteResult;
import io.jifen.ledger.journal.JournalCheckpoint;
import io.jifen.ledger.journal.JournalCorruptException;
import io.jifen.ledger.journal.JournalSurvey;
import io.jifen.ledger.journal.ResumePoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The journal checkpoint (DATA/journal.checkpoint): where the records the server forced to the device end. A journal
 * cut at a record boundary looks like a clean end to everything else; with the checkpoint, a start that finds
 * synced (so possibly acknowledged) records missing refuses and says how many, and a checkpoint of another journal
 * or a damaged one is refused too.
 */
class CheckpointIT
{
    @TempDir
    Path dir;

    private LedgerServer server;
    private ManagedChannel channel;

    @AfterEach
    void stop()
    {
        close();
    }

    private LedgerGrpc.LedgerBlockingStub start(final Path data) throws IOException
    {
        server = new LedgerServer(new ServerConfig().port(0).data(data)).start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
        return LedgerGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    private void close()
    {
        if (null != channel)
        {
            channel.shutdownNow();
            channel = null;
        }
        if (null != server)
        {
            server.close();
            server = null;
        }
    }

    /** Enrolls m-1 and earns {@code earns} times 10 points, then stops cleanly. @return the last sequence. */
    private long writeAndStop(final Path data, final int earns, final String prefix) throws IOException
    {
        final LedgerGrpc.LedgerBlockingStub ledger = start(data);
        ledger.enroll(EnrollRequest.newBuilder().setRequestId(prefix + "enroll").setMemberId("m-1").build());
        WriteResult last = null;
        for (int i = 0; i < earns; i++)
        {
            last = ledger.earn(EarnRequest.newBuilder().setRequestId(prefix + "e-" + i).setMemberId("m-1")
                .setPoints(10).build());
        }
        close();
        return last.getSequence();
    }

    @Test
    void theCheckpointFollowsSyncedRecordsWhileTheServerRuns() throws Exception
    {
        final Path data = dir.resolve("data");
        final LedgerGrpc.LedgerBlockingStub ledger = start(data);
        ledger.enroll(EnrollRequest.newBuilder().setRequestId("enroll").setMemberId("m-1").build());
        final WriteResult earned = ledger.earn(EarnRequest.newBuilder().setRequestId("e-1").setMemberId("m-1")
            .setPoints(10).build());
        ResumePoint checkpoint = null;
        for (int i = 0; i < 50 && (null == checkpoint || checkpoint.sequence() < earned.getSequence()); i++)
        {
            Thread.sleep(100);
            checkpoint = JournalCheckpoint.read(data);
        }
        assertNotNull(checkpoint, "written within a few seconds, while the server runs");
        assertEquals(earned.getSequence(), checkpoint.sequence());
    }

    @Test
    void aJournalCutAtARecordBoundaryThatLostSyncedRecordsIsRefused() throws Exception
    {
        final Path data = dir.resolve("data");
        final long last = writeAndStop(data, 10, "");
        assertEquals(last, JournalCheckpoint.read(data).sequence(), "written at the clean stop");

        // the last record zeroed: the journal now ends, cleanly, one record short
        final JournalSurvey survey = JournalSurvey.of(data.resolve("journal"));
        try (FileChannel file = FileChannel.open(survey.endFile, StandardOpenOption.WRITE))
        {
            file.write(ByteBuffer.allocate((int)(survey.endPosition - survey.lastPosition)), survey.lastPosition);
        }
        final JournalCorruptException refused = assertThrows(JournalCorruptException.class, () -> start(data));
        assertTrue(refused.getMessage().contains("the journal ends at sequence " + (last - 1) + ", but records " +
            "up to " + last + " were forced to the device") && refused.getMessage().contains("1 record(s) are " +
            "missing") && refused.getMessage().contains(JournalCheckpoint.FILE), refused.getMessage());

        // the operator accepts the loss by deleting the checkpoint
        Files.delete(data.resolve(JournalCheckpoint.FILE));
        final LedgerGrpc.LedgerBlockingStub ledger = start(data);
        assertEquals(90, ledger.getBalance(GetBalanceRequest.newBuilder().setMemberId("m-1").build())
            .getAvailable());
    }

    @Test
    void aCheckpointOfAnotherJournalIsRefused() throws Exception
    {
        final Path mine = dir.resolve("mine");
        final Path other = dir.resolve("other");
        writeAndStop(mine, 5, "a-");
        writeAndStop(other, 5, "b-");
        Files.copy(other.resolve(JournalCheckpoint.FILE), mine.resolve(JournalCheckpoint.FILE),
            StandardCopyOption.REPLACE_EXISTING);
        final JournalCorruptException refused = assertThrows(JournalCorruptException.class, () -> start(mine));
        assertTrue(refused.getMessage().contains("does not hold the record the checkpoint names") &&
            refused.getMessage().contains("a different chain value"), refused.getMessage());
    }

    @Test
    void aDamagedCheckpointIsRefusedUntilDeleted() throws Exception
    {
        final Path data = dir.resolve("data");
        writeAndStop(data, 3, "");
        final Path file = data.resolve(JournalCheckpoint.FILE);
        final byte[] bytes = Files.readAllBytes(file);
        bytes[20] ^= 1;
        Files.write(file, bytes);
        final JournalCorruptException refused = assertThrows(JournalCorruptException.class, () -> start(data));
        assertTrue(refused.getMessage().contains("checkpoint is damaged") &&
            refused.getMessage().contains(file.toString()), refused.getMessage());
        Files.delete(file);
        assertEquals(30, start(data).getBalance(GetBalanceRequest.newBuilder().setMemberId("m-1").build())
            .getAvailable());
    }
}
