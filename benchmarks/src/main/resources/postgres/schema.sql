-- The loyalty ledger a competent team would write in PostgreSQL: the baseline Jifen is compared with.
-- members carries the balance; lots carry the points by expiry; transactions remember every write's request id
-- (the idempotency key); allocations record which lots a redemption took from, so it can be reversed.
CREATE TABLE members (
    member_id    text PRIMARY KEY,
    status       smallint NOT NULL DEFAULT 0,          -- 0 active, 1 suspended, 2 closed
    tier         smallint NOT NULL DEFAULT 0,          -- 0 member, 1 silver, 2 gold, 3 platinum
    balance      bigint   NOT NULL DEFAULT 0 CHECK (balance >= 0),
    tier_points  bigint   NOT NULL DEFAULT 0,
    owed         bigint   NOT NULL DEFAULT 0,          -- clawback not yet covered by a balance
    held         bigint   NOT NULL DEFAULT 0 CHECK (held >= 0), -- reserved by open holds at checkout
    enrolled_at  timestamptz NOT NULL
);

CREATE TABLE transactions (
    tx_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id   text     NOT NULL UNIQUE,
    member_id    text     NOT NULL REFERENCES members,
    kind         smallint NOT NULL,                    -- 0 enroll, 1 earn, 2 redeem, 3 reverse, 4 hold, 5 capture
    points       bigint   NOT NULL,
    reversed     bigint   NOT NULL DEFAULT 0,          -- points of an earn reversed so far; of a hold, closed
    order_id     text,
    original_request_id text,
    created_at   timestamptz NOT NULL
);

CREATE TABLE lots (
    lot_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id    text   NOT NULL REFERENCES members,
    earn_tx_id   bigint NOT NULL REFERENCES transactions,
    points       bigint NOT NULL,
    remaining    bigint NOT NULL CHECK (remaining >= 0),
    expires_at   timestamptz NOT NULL
);
-- redemption takes a member's open lots soonest-expiring first
CREATE INDEX lots_open_by_expiry ON lots (member_id, expires_at, lot_id) WHERE remaining > 0;
CREATE INDEX lots_by_earn ON lots (earn_tx_id);

CREATE TABLE allocations (
    redeem_tx_id bigint NOT NULL REFERENCES transactions,
    lot_id       bigint NOT NULL REFERENCES lots,
    points       bigint NOT NULL
);
CREATE INDEX allocations_by_redeem ON allocations (redeem_tx_id);
