package io.jifen.ledger.journal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The record layout in {@link JournalLayout} is the one docs/journal-format.md states: the fields' sizes and the
 * header's offsets are read from the document's table, so neither can change without the other.
 */
class JournalLayoutTest
{
    private static final Path DOC = Path.of("..", "docs", "journal-format.md");

    /** The record layout table: field name to its offset (or null) and size (bytes, or "var", or "N each"). */
    private static Map<String, String[]> table() throws IOException
    {
        final List<String> lines = Files.readAllLines(DOC, StandardCharsets.UTF_8);
        final int start = lines.indexOf("## Record layout");
        assertTrue(start >= 0, DOC + " has a '## Record layout' section");
        final Map<String, String[]> fields = new LinkedHashMap<>();
        for (int i = start + 1; i < lines.size() && !lines.get(i).startsWith("Strings are"); i++)
        {
            final String[] cells = lines.get(i).split("\\|", -1);
            if (cells.length > 4 && !cells[3].isBlank() && !cells[2].isBlank() && !cells[2].contains("-"))
            {
                fields.put(cells[3].trim(), new String[] {cells[1].trim(), cells[2].trim()});
            }
        }
        return fields;
    }

    private static int size(final Map<String, String[]> table, final String field)
    {
        final String[] row = table.get(field);
        assertTrue(null != row, () -> "the document's table has a row for " + field + ": " + table.keySet());
        return Integer.parseInt(row[1].replace(" each", ""));
    }

    private static int offset(final Map<String, String[]> table, final String field)
    {
        return Integer.parseInt(table.get(field)[0]);
    }

    @Test
    void theHeaderIsWhereTheDocumentSays() throws IOException
    {
        final Map<String, String[]> t = table();
        assertEquals(offset(t, "type"), JournalLayout.TYPE_OFFSET);
        assertEquals(offset(t, "version"), JournalLayout.VERSION_OFFSET);
        assertEquals(offset(t, "length"), JournalLayout.LENGTH_OFFSET);
        assertEquals(offset(t, "sequence"), JournalLayout.SEQUENCE_OFFSET);
        assertEquals(offset(t, "timestamp"), JournalLayout.TIMESTAMP_OFFSET);
        assertEquals(offset(t, "request_id"), JournalLayout.BODY_OFFSET, "the strings start after the header");
        assertEquals(offset(t, "timestamp") + size(t, "timestamp"), JournalLayout.BODY_OFFSET);
    }

    @Test
    void theSectionsAfterTheStringsHaveTheDocumentsSizes() throws IOException
    {
        final Map<String, String[]> t = table();
        assertEquals(size(t, "points") + size(t, "birthday") + size(t, "status") + size(t, "limit"),
            JournalLayout.INPUTS_LENGTH);
        int result = 0;
        for (final Map.Entry<String, String[]> field : t.entrySet())
        {
            if (field.getKey().startsWith("result."))
            {
                result += Integer.parseInt(field.getValue()[1]);
            }
        }
        assertEquals(result, JournalLayout.RESULT_LENGTH);
        assertEquals(size(t, "result.tier"), JournalLayout.MEMBER_STATUS_OFFSET - JournalLayout.TIER_OFFSET);
        assertEquals(size(t, "effect_count"), JournalLayout.EFFECT_COUNT_SIZE);
        assertEquals(size(t, "effects"), JournalLayout.EFFECT_LENGTH);
        assertEquals(size(t, "chain"), JournalLayout.CHAIN_LENGTH);
        assertEquals(size(t, "checksum"), JournalLayout.CHECKSUM_LENGTH);
        assertEquals("length-" + JournalLayout.TRAILER_LENGTH, t.get("chain")[0]);
        assertEquals("length-" + JournalLayout.CHECKSUM_LENGTH, t.get("checksum")[0]);
    }
}
