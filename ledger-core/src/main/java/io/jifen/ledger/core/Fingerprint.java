package io.jifen.ledger.core;

/**
 * What a write asks for, hashed: a retry of a request id must ask for the same, or it is a reuse of the id (a
 * conflict). Part of the request log's state (and so of the state hash): never change what it mixes for a command
 * that journals already exist for.
 */
final class Fingerprint
{
    private Fingerprint()
    {
    }

    /**
     * A fingerprint of what a write asks for, to tell a retry from a reuse of its request id.
     */
    static long of(final Command c)
    {
        long h = Hashing.mix(0x4A6966656EL, c.type.code());
        h = Hashing.mix(h, c.memberId);
        h = Hashing.mix(h, c.pointsSlot());
        h = Hashing.mix(h, c.orderId);
        h = Hashing.mix(h, c.reason);
        h = Hashing.mix(h, c.originalRequestId);
        h = Hashing.mix(h, c.referrerId);
        h = Hashing.mix(h, c.birthday);
        h = Hashing.mix(h, c.statusSlot());
        h = typeInputs(h, c);
        if (null != c.programId && !c.programId.isEmpty()) // none and empty are alike: the first program
        {
            h = Hashing.mix(h, c.programId);
        }
        if (c.type == CommandType.EXCHANGE)
        {
            h = Hashing.mix(h, c.toProgramId);
        }
        if (c.purchaseMinor != 0)
        {
            h = Hashing.mix(h, c.purchaseMinor);
            h = Hashing.mix(h, c.currency);
            h = Hashing.mix(h, c.channel);
            h = Hashing.mix(h, null == c.categories ? 0 : c.categories.length); // none and an empty list are alike
            if (null != c.categories)
            {
                for (final String category : c.categories)
                {
                    h = Hashing.mix(h, category);
                }
            }
        }
        return h;
    }

    /**
     * Mixes the inputs that only some commands have (an exchange's receiving program comes later, after the program).
     * Every command type says which, so a new command does not compile until its inputs are decided here.
     */
    private static long typeInputs(final long h, final Command c)
    {
        return switch (c.type)
        {
            case HOLD -> Hashing.mix(h, c.holdTimeoutSeconds);
            case TRANSFER, EXCHANGE -> Hashing.mix(h, c.toMemberId);
            case IMPORT -> Hashing.mix(Hashing.mix(Hashing.mix(h, c.earnedAt), c.lotExpiresAt), c.importTierPoints);
            case ENROLL, EARN, REDEEM, REVERSE, ADJUST, SET_STATUS, EXPIRE_TICK, SET_PROGRAM, CAPTURE_HOLD,
                RELEASE_HOLD, SET_TIER, GET_BALANCE, CHECK_TIER, LIST_LOTS, GET_MEMBER, LIST_EXPIRING -> h;
        };
    }
}
