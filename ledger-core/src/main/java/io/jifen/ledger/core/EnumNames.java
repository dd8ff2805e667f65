package io.jifen.ledger.core;

/**
 * The spellings a program file may use for an enumerated value: its own short name ({@code store}, {@code atRisk},
 * {@code silver}), the same in upper snake case ({@code STORE}, {@code AT_RISK}), or the name the .proto gives it
 * ({@code CHANNEL_STORE}, {@code SEGMENT_AT_RISK}, {@code TIER_SILVER}), so a client never has to translate.
 */
final class EnumNames
{
    private EnumNames()
    {
    }

    /** @return true if {@code text} is one of the spellings of {@code shortName} (the proto's names start so). */
    static boolean matches(final String text, final String shortName, final String protoPrefix)
    {
        final String upper = upperSnake(shortName);
        return text.equals(shortName) || text.equals(upper) || text.equals(protoPrefix + upper);
    }

    /** {@code atRisk} is {@code AT_RISK}. */
    static String upperSnake(final String camel)
    {
        final StringBuilder sb = new StringBuilder(camel.length() + 4);
        for (int i = 0; i < camel.length(); i++)
        {
            final char ch = camel.charAt(i);
            if (Character.isUpperCase(ch) && i > 0)
            {
                sb.append('_');
            }
            sb.append(Character.toUpperCase(ch));
        }
        return sb.toString();
    }
}
