package io.jifen.ledger.journal;

import java.util.Arrays;

/**
 * A place in the journal a reader can start after instead of at the beginning: the queue index of a document (a
 * ledger record, or a tail-discarded marker), the ledger sequence as of it, and the chain value it ends with (what
 * the next record links to). A snapshot is taken at one; the journal confirms it when the document at that index is
 * sound, carries that sequence and ends with that chain value.
 */
public record ResumePoint(long sequence, long queueIndex, byte[] chain)
{
    public ResumePoint
    {
        if (chain.length != JournalRecord.CHAIN_LENGTH || sequence < 0 || queueIndex < 0)
        {
            throw new IllegalArgumentException("not a resume point: sequence " + sequence + ", queue index " +
                queueIndex + ", chain of " + chain.length + " bytes");
        }
        chain = chain.clone();
    }

    @Override
    public byte[] chain()
    {
        return chain.clone();
    }

    /** @return the chain value in hex. */
    public String chainHex()
    {
        final StringBuilder sb = new StringBuilder(2 * chain.length);
        for (final byte b : chain)
        {
            sb.append(String.format("%02x", b & 0xFF));
        }
        return sb.toString();
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof ResumePoint other && other.sequence == sequence && other.queueIndex == queueIndex &&
            Arrays.equals(other.chain, chain);
    }

    @Override
    public int hashCode()
    {
        return Long.hashCode(sequence) * 31 + Long.hashCode(queueIndex);
    }

    @Override
    public String toString()
    {
        return "sequence " + sequence + " at queue index 0x" + Long.toHexString(queueIndex) + " (chain " +
            chainHex().substring(0, 16) + "…)";
    }
}
