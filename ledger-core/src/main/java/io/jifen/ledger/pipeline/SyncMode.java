package io.jifen.ledger.pipeline;

/**
 * What an acknowledgement promises about a write.
 */
public enum SyncMode
{
    /** The journal is forced to the device at the end of every batch before its replies leave: survives power loss. */
    BATCH,
    /** The journal is written to the page cache before replies leave: survives a killed process, not a power loss. */
    NONE;

    public static SyncMode parse(final String value)
    {
        switch (value)
        {
            case "batch": return BATCH;
            case "none": return NONE;
            default: throw new IllegalArgumentException("--sync must be 'batch' or 'none', got '" + value + "'");
        }
    }
}
