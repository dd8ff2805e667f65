package io.jifen.ledger.server;

import java.util.Set;

import io.grpc.Context;
import io.jifen.ledger.core.CommandType;
import io.jifen.ledger.core.ResultCode;

/**
 * Who is calling, as its API key says: the key's id, its role, and the programs it may act on (null: all). The
 * {@link ApiKeys} interceptor puts it in the call's context; a server without keys has one caller, {@link #OPEN}
 * (it serves loopback only, or was told --insecure).
 */
record Caller(String keyId, Role role, Set<String> programs)
{
    static final Context.Key<Caller> KEY = Context.key("jifen-caller");
    /** Every call of a server without keys. */
    static final Caller OPEN = new Caller("-", Role.ADMIN, null);

    /** What a key may do. */
    enum Role
    {
        /** A till or a shop's backend: members' writes at the counter and reads. */
        POS,
        /** An app or a kiosk: balances, tier checks, members, statements. */
        READER,
        /** Read-only: reads, reminder lists, the change stream. */
        FINANCE,
        /** Everything: corrections (adjust, tier, status), imports, programs, the test clock. */
        ADMIN
    }

    /** What a call needs, by the roles that have it. */
    enum Access
    {
        READ(Role.POS, Role.READER, Role.FINANCE, Role.ADMIN),
        MEMBER_WRITE(Role.POS, Role.ADMIN),
        LISTS(Role.FINANCE, Role.ADMIN),
        STREAM(Role.FINANCE, Role.ADMIN),
        ADMIN(Role.ADMIN);

        private final Set<Role> roles;

        Access(final Role... roles)
        {
            this.roles = Set.of(roles);
        }

        /** Every command type says what it needs, so a new one does not compile until it is decided. */
        static Access of(final CommandType type)
        {
            return switch (type)
            {
                case GET_BALANCE, CHECK_TIER, LIST_LOTS, GET_MEMBER -> READ;
                case ENROLL, EARN, REDEEM, REVERSE, HOLD, CAPTURE_HOLD, RELEASE_HOLD, TRANSFER, EXCHANGE ->
                    MEMBER_WRITE;
                case LIST_EXPIRING -> LISTS;
                case ADJUST, SET_STATUS, SET_TIER, IMPORT, SET_PROGRAM, EXPIRE_TICK -> ADMIN;
            };
        }
    }

    /** @return the caller of the current call (null: a server with keys saw a call its interceptor did not pass). */
    static Caller current(final boolean keysConfigured)
    {
        return keysConfigured ? KEY.get() : OPEN;
    }

    boolean allPrograms()
    {
        return null == programs;
    }

    /**
     * @param program the program's name (null or empty: the ledger's first, {@code firstProgram}).
     * @param toProgram an exchange's receiving program, else null.
     * @return OK, or why the call is not allowed.
     */
    ResultCode check(final Access access, final String program, final String toProgram, final String firstProgram)
    {
        if (!access.roles.contains(role))
        {
            return ResultCode.ROLE_NOT_ALLOWED;
        }
        if (!mayActOn(null == program || program.isEmpty() ? firstProgram : program))
        {
            return ResultCode.PROGRAM_NOT_ALLOWED;
        }
        return null == toProgram || toProgram.isEmpty() || mayActOn(toProgram) ? ResultCode.OK :
            ResultCode.TO_PROGRAM_NOT_ALLOWED;
    }

    boolean mayActOn(final String program)
    {
        return null == programs || programs.contains(program);
    }
}
