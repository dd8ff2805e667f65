package io.jifen.ledger.journal;

import java.nio.ByteOrder;

import static org.agrona.BitUtil.SIZE_OF_BYTE;
import static org.agrona.BitUtil.SIZE_OF_INT;
import static org.agrona.BitUtil.SIZE_OF_LONG;
import static org.agrona.BitUtil.SIZE_OF_SHORT;

/**
 * Where each field of a journal record sits: the one description of the layout that the encoder, the decoder and
 * {@code journal dump} read, each offset derived from the one before it (as Aeron's flyweights do), so no offset is
 * written twice as a literal. The layout is the contract of docs/journal-format.md; {@code JournalLayoutTest} pins the
 * numbers that document states, and the golden journal fixture pins the bytes of every record type and version.
 * <pre>
 *   header   type u16 | version u16 | length u32 | sequence i64 | timestamp i64
 *   strings  request id, member id, order id, reason, original request id, counterparty, program text
 *            (+ version 2: program id, receiving program id; + version 4: API key id), each a u16 length then
 *            UTF-8, 0xFFFF for absent
 *   inputs   points slot i64 | birthday i32 | status slot i32 | limit slot i32
 *   result   points | balance | lifetime earned | tier u8 | member status u8 | lot id | expires at | expired
 *            | shortfall | already expired | owed                                  (the rest i64)
 *   effects  count i32, then per effect: kind u8 | lot id i64 | amount i64 | lot expires at i64
 *   purchase (an earn from a purchase only) amount minor i64 | currency string | channel u8 | categories string
 *            | base points | tier multiplier | tier points | cap cut | campaign count u8
 *            then per campaign: id string | multiplier | points | budget cut         (the rest i64)
 *   import   (an import only) earned at i64 | lot expires at i64 | tier points i64
 *   trailer  chain (SHA-256, 32 bytes) | CRC-32C u32
 * </pre>
 * Offsets of a section after the strings are relative to the section's start, which depends on the strings' lengths.
 */
final class JournalLayout
{
    static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    // header, at the start of the record
    static final int TYPE_OFFSET = 0;
    static final int VERSION_OFFSET = TYPE_OFFSET + SIZE_OF_SHORT;
    static final int LENGTH_OFFSET = VERSION_OFFSET + SIZE_OF_SHORT;
    static final int SEQUENCE_OFFSET = LENGTH_OFFSET + SIZE_OF_INT;
    static final int TIMESTAMP_OFFSET = SEQUENCE_OFFSET + SIZE_OF_LONG;
    /** Where the strings start. */
    static final int BODY_OFFSET = TIMESTAMP_OFFSET + SIZE_OF_LONG;

    // strings
    static final int STRING_LENGTH_SIZE = SIZE_OF_SHORT;
    /** The length of an absent (null) string; an empty one has length 0. */
    static final int ABSENT_STRING = 0xFFFF;

    // inputs, after the strings
    static final int POINTS_SLOT_OFFSET = 0;
    static final int BIRTHDAY_OFFSET = POINTS_SLOT_OFFSET + SIZE_OF_LONG;
    static final int STATUS_SLOT_OFFSET = BIRTHDAY_OFFSET + SIZE_OF_INT;
    static final int LIMIT_SLOT_OFFSET = STATUS_SLOT_OFFSET + SIZE_OF_INT;
    static final int INPUTS_LENGTH = LIMIT_SLOT_OFFSET + SIZE_OF_INT;

    // result, after the inputs
    static final int RESULT_POINTS_OFFSET = 0;
    static final int BALANCE_OFFSET = RESULT_POINTS_OFFSET + SIZE_OF_LONG;
    static final int LIFETIME_EARNED_OFFSET = BALANCE_OFFSET + SIZE_OF_LONG;
    static final int TIER_OFFSET = LIFETIME_EARNED_OFFSET + SIZE_OF_LONG;
    static final int MEMBER_STATUS_OFFSET = TIER_OFFSET + SIZE_OF_BYTE;
    static final int LOT_ID_OFFSET = MEMBER_STATUS_OFFSET + SIZE_OF_BYTE;
    static final int EXPIRES_AT_OFFSET = LOT_ID_OFFSET + SIZE_OF_LONG;
    static final int EXPIRED_OFFSET = EXPIRES_AT_OFFSET + SIZE_OF_LONG;
    static final int SHORTFALL_OFFSET = EXPIRED_OFFSET + SIZE_OF_LONG;
    static final int ALREADY_EXPIRED_OFFSET = SHORTFALL_OFFSET + SIZE_OF_LONG;
    static final int OWED_OFFSET = ALREADY_EXPIRED_OFFSET + SIZE_OF_LONG;
    static final int RESULT_LENGTH = OWED_OFFSET + SIZE_OF_LONG;

    // effects, after the result: a count, then the effects
    static final int EFFECT_COUNT_SIZE = SIZE_OF_INT;
    static final int EFFECT_KIND_OFFSET = 0;
    static final int EFFECT_LOT_ID_OFFSET = EFFECT_KIND_OFFSET + SIZE_OF_BYTE;
    static final int EFFECT_AMOUNT_OFFSET = EFFECT_LOT_ID_OFFSET + SIZE_OF_LONG;
    static final int EFFECT_EXPIRES_AT_OFFSET = EFFECT_AMOUNT_OFFSET + SIZE_OF_LONG;
    static final int EFFECT_LENGTH = EFFECT_EXPIRES_AT_OFFSET + SIZE_OF_LONG;

    // purchase, after the effects (an earn from a purchase): the amount, two strings around the channel, then ...
    static final int PURCHASE_AMOUNT_SIZE = SIZE_OF_LONG;
    static final int CHANNEL_SIZE = SIZE_OF_BYTE;
    // ... how the points were computed, after the categories
    static final int BASE_POINTS_OFFSET = 0;
    static final int TIER_MULTIPLIER_OFFSET = BASE_POINTS_OFFSET + SIZE_OF_LONG;
    static final int TIER_POINTS_OFFSET = TIER_MULTIPLIER_OFFSET + SIZE_OF_LONG;
    static final int CAP_CUT_OFFSET = TIER_POINTS_OFFSET + SIZE_OF_LONG;
    static final int CAMPAIGN_COUNT_OFFSET = CAP_CUT_OFFSET + SIZE_OF_LONG;
    static final int EARNING_LENGTH = CAMPAIGN_COUNT_OFFSET + SIZE_OF_BYTE;
    // ... and per campaign, after its id
    static final int CAMPAIGN_MULTIPLIER_OFFSET = 0;
    static final int CAMPAIGN_POINTS_OFFSET = CAMPAIGN_MULTIPLIER_OFFSET + SIZE_OF_LONG;
    static final int CAMPAIGN_BUDGET_CUT_OFFSET = CAMPAIGN_POINTS_OFFSET + SIZE_OF_LONG;
    static final int CAMPAIGN_LENGTH = CAMPAIGN_BUDGET_CUT_OFFSET + SIZE_OF_LONG;

    // import, after the member table (an import, always version 3 or later): the row's instants and tier points
    static final int IMPORT_EARNED_AT_OFFSET = 0;
    static final int IMPORT_EXPIRES_AT_OFFSET = IMPORT_EARNED_AT_OFFSET + SIZE_OF_LONG;
    static final int IMPORT_TIER_POINTS_OFFSET = IMPORT_EXPIRES_AT_OFFSET + SIZE_OF_LONG;
    static final int IMPORT_LENGTH = IMPORT_TIER_POINTS_OFFSET + SIZE_OF_LONG;

    // the tail-discarded marker's body, at BODY_OFFSET
    static final int DISCARDED_FIRST_INDEX_OFFSET = BODY_OFFSET;
    static final int DISCARDED_COUNT_OFFSET = DISCARDED_FIRST_INDEX_OFFSET + SIZE_OF_LONG;
    static final int DISCARDED_BODY_END = DISCARDED_COUNT_OFFSET + SIZE_OF_INT;

    // trailer, at the end of the record
    static final int CHAIN_LENGTH = 32;
    static final int CHECKSUM_LENGTH = SIZE_OF_INT;
    static final int TRAILER_LENGTH = CHAIN_LENGTH + CHECKSUM_LENGTH;
    /** The shortest record: a header and a trailer. */
    static final int MIN_LENGTH = BODY_OFFSET + TRAILER_LENGTH;

    private JournalLayout()
    {
    }
}
