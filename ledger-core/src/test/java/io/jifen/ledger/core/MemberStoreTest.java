package io.jifen.ledger.core;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.channels.Channels;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The member columns at a scale the scenario tests never reach: more members than the store starts with room for
 * (every column grows several times), tier-point histories past the first chunks of blocks, open-lot lists of
 * several lots, and a snapshot of them all read back into a ledger that answers every member as the live one does.
 */
class MemberStoreTest extends LedgerScenarios
{
    /** Enough for three chunks of history blocks, the last one partly used. */
    private static final int MEMBERS = 2 * MemberStore.HISTORY_CHUNK + 1_000;
    private static final int ROUNDS = 5;

    @Test
    void manyMembersKeepTheirOwnBalancesHistoriesAndListsThroughGrowthAndASnapshot()
    {
        for (int i = 0; i < MEMBERS; i++)
        {
            enroll("enroll-" + i, "m" + i);
            assertOk();
        }
        // member i earns in rounds 0 to i % ROUNDS, a minute apart, points i % 100 + 1 each time
        final long start = now;
        for (int round = 0; round < ROUNDS; round++)
        {
            now = start + round * 60_000L;
            for (int i = 0; i < MEMBERS; i++)
            {
                if (round <= i % ROUNDS)
                {
                    earn("earn-" + round + "-" + i, "m" + i, i % 100 + 1);
                    assertOk();
                }
            }
        }
        now = start + ROUNDS * 60_000L;
        final Ledger live = ledger;
        final Ledger restored = snapshotRoundTrip(live);
        for (final Ledger answering : new Ledger[] {live, restored})
        {
            ledger = answering;
            for (int i = 0; i < MEMBERS; i++)
            {
                final long earns = i % ROUNDS + 1;
                final long points = earns * (i % 100 + 1);
                begin(CommandType.GET_MEMBER, null, "m" + i);
                send();
                assertOk();
                assertEquals(points, c.tierPoints, "member " + i + "'s tier points");
                assertEquals(start + (earns - 1) * 60_000L, c.lastEarnAt, "member " + i + "'s latest earn");
                listLots("m" + i, 10);
                assertEquals(earns, c.openLots, "member " + i + "'s open lots");
                assertEquals(points, c.balance, "member " + i + "'s balance");
                for (int k = 0; k < earns; k++)
                {
                    assertEquals(start + k * 60_000L, c.lots.earnedAt(k), "member " + i + "'s lot " + k);
                }
            }
        }
        ledger = live;
    }

    /** @return the ledger a snapshot of {@code live} reads back as, with the same state hash. */
    private static Ledger snapshotRoundTrip(final Ledger live)
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final SnapshotOutput out = new SnapshotOutput(Channels.newChannel(bytes));
        live.writeTo(out);
        final int crc = out.finish();
        final SnapshotInput in = new SnapshotInput(
            Channels.newChannel(new ByteArrayInputStream(bytes.toByteArray())), bytes.size());
        final Ledger restored = Ledger.readFrom(in, new LedgerContext());
        assertEquals(crc, in.finish());
        assertEquals(live.stateHash(), restored.stateHash());
        restored.checkInvariants();
        return restored;
    }
}
