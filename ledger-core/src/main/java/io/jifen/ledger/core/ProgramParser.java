package io.jifen.ledger.core;

import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Reads a program file into a {@link Program}: YAML (the format of {@code docs/program.md}) or the older
 * {@code key = value} lines, which are turned into the same tree so one set of checks serves both. Every error names
 * the line, the setting's path and the reason; unknown and repeated keys are errors, so a typo never leaves a default
 * silently in force.
 */
final class ProgramParser
{
    private static final Pattern LEGACY_LINE = Pattern.compile("^[A-Za-z][A-Za-z.]*\\s*=.*");
    private static final Pattern ID =
        Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0," + (Limits.ID_LENGTH_MAX - 1) + "}");
    private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");
    private static final String[] TIER_KEYS = {"member", "silver", "gold", "platinum"};

    private ProgramParser()
    {
    }

    static Program parse(final String text)
    {
        final MappingNode root = isLegacy(text) ? legacyTree(text) : yamlTree(text);
        return read(new Section(root, ""));
    }

    /** Reads the sections in a fixed order, so the first mistake in a program is the one reported. */
    private static Program read(final Section root)
    {
        final ProgramSettings b = new ProgramSettings();
        final long schema = root.longValue("schema", Program.SCHEMA, 1, Program.SCHEMA);
        assert schema == Program.SCHEMA;
        b.version = (int)root.longValue("version", 1, 0, Integer.MAX_VALUE);
        b.name = root.string("name", Program.DEFAULT_NAME);
        if (b.name.isEmpty() || !CommandValidator.isProgramId(b.name))
        {
            // a request names the program by it (program_id)
            throw root.error("name", "must be " + Limits.ID_LENGTH_RANGE + " characters without control characters");
        }
        b.zone = zone(root);
        readTiers(root, b);
        readLimits(root, b);
        readEarning(root, b);
        readBonuses(root, b);
        readFinance(root, b);
        b.campaigns = campaigns(root, b.zone);
        b.partners = partners(root, b.name);
        root.finish();
        final Program program = new Program(b);
        if (program.toText().length() > CommandValidator.PROGRAM_TEXT_LENGTH_MAX)
        {
            // the journal's set_program record carries the canonical text: refuse here, not when it is put in force
            throw new IllegalArgumentException("line " + Section.line(root.node) + ": the program spelled out in " +
                "full is " + program.toText().length() + " characters, more than the " +
                CommandValidator.PROGRAM_TEXT_LENGTH_MAX + " a set_program record holds: fewer campaigns or " +
                "categories");
        }
        return program;
    }

    /** Expiry and tiers. */
    private static void readTiers(final Section root, final ProgramSettings b)
    {
        final Section expiry = root.section("expiry");
        b.expiryMonths = (int)expiry.longValue("months", 12, 0, 1200);
        expiry.finish();

        final Section tiers = root.section("tiers");
        b.silver = tiers.longValue("silver", 1000, 0, Ledger.POINTS_MAX);
        b.gold = tiers.longValue("gold", 5000, 0, Ledger.POINTS_MAX);
        b.platinum = tiers.longValue("platinum", 20000, 0, Ledger.POINTS_MAX);
        b.tierWindow = tierWindow(tiers);
        b.evaluationMonthDay = evaluation(tiers);
        final Section keep = tiers.section("keep");
        b.keepSilver = keep.longValue("silver", b.silver, 0, b.silver);
        b.keepGold = keep.longValue("gold", b.gold, 0, b.gold);
        b.keepPlatinum = keep.longValue("platinum", b.platinum, 0, b.platinum);
        keep.finish();
        b.maxDrop = (int)tiers.longValue("maxDrop", 1, 1, 3);
        tiers.finish();
        if (!(b.silver <= b.gold && b.gold <= b.platinum))
        {
            throw tiers.error("silver", "tier thresholds must not decrease: silver <= gold <= platinum");
        }
    }

    /** Limits, holds and pending points (the latter two must fit in the request retention window). */
    private static void readLimits(final Section root, final ProgramSettings b)
    {
        final Section limits = root.section("limits");
        b.lotsPerMemberMax = (int)limits.longValue("lotsPerMemberMax", 10_000, 1, 1_000_000);
        b.requestRetentionDays = (int)limits.longValue("requestRetentionDays", 35, 1, 3650);
        limits.finish();

        final Section holds = root.section("holds");
        b.holdTimeoutSeconds = (int)holds.longValue("timeoutSeconds",
            CommandValidator.HOLD_TIMEOUT_DEFAULT_SECONDS, 1, CommandValidator.HOLD_TIMEOUT_MAX_SECONDS);
        holds.finish();
        if (b.holdTimeoutSeconds * 1000L >= b.requestRetentionDays * 86_400_000L)
        {
            throw holds.error("timeoutSeconds", "must be shorter than limits.requestRetentionDays");
        }

        final Section pending = root.section("pending");
        b.pendingDays = (int)pending.longValue("days", 0, 0, 365);
        pending.finish();
        if (b.pendingDays >= b.requestRetentionDays)
        {
            throw pending.error("days", "must be shorter than limits.requestRetentionDays: a pending earn matures " +
                "while its request is remembered");
        }
    }

    /** Purchase earning and the daily cap. */
    private static void readEarning(final Section root, final ProgramSettings b)
    {
        final Section earning = root.section("earning");
        b.currency = earning.string("currency", "CNY");
        if (!CURRENCY.matcher(b.currency).matches())
        {
            throw earning.error(
                "currency", "must be an ISO 4217 code of three capital letters, got '" + b.currency + "'");
        }
        b.ratePoints = earning.longValue("points", 1, 1, 10_000);
        b.ratePerMinor = earning.longValue("perMinorUnits", 100, 1, 1_000_000);
        b.rounding = rounding(earning);
        final Section multipliers = earning.section("tierMultipliers");
        for (int t = 0; t < TIER_KEYS.length; t++)
        {
            b.tierMultiplierBp[t] = multipliers.multiplier(TIER_KEYS[t], Program.MULTIPLIER_ONE);
        }
        multipliers.finish();
        earning.finish();

        final Section caps = root.section("caps");
        b.memberDailyPoints = caps.longValue("memberDailyPoints", 0, 0, Ledger.POINTS_MAX);
        caps.finish();
    }

    /** What a point is worth, for finance's reports (liability in money): a decimal of the earning currency. */
    private static void readFinance(final Section root, final ProgramSettings b)
    {
        final Section finance = root.section("finance");
        final String value = finance.string("pointValue", null);
        if (null != value)
        {
            try
            {
                final java.math.BigDecimal parsed = new java.math.BigDecimal(value);
                if (parsed.signum() <= 0 || parsed.scale() > 6 ||
                    parsed.compareTo(java.math.BigDecimal.valueOf(1000)) > 0)
                {
                    throw finance.error("pointValue", "must be a positive decimal of at most 6 places, at most 1000");
                }
                b.pointValue = parsed.stripTrailingZeros().toPlainString();
            }
            catch (final NumberFormatException ex)
            {
                throw finance.error("pointValue", "not a decimal: '" + value + "'");
            }
        }
        finance.finish();
    }

    /** Bonuses, returns and the lifecycle segments. */
    private static void readBonuses(final Section root, final ProgramSettings b)
    {
        final Section bonuses = root.section("bonuses");
        b.welcomeBonus = bonuses.longValue("welcome", 0, 0, Ledger.POINTS_MAX);
        b.firstPurchaseBonus = bonuses.longValue("firstPurchase", 0, 0, Ledger.POINTS_MAX);
        b.referrerBonus = bonuses.longValue("referrer", 0, 0, Ledger.POINTS_MAX);
        b.referredBonus = bonuses.longValue("referred", 0, 0, Ledger.POINTS_MAX);
        b.birthdayMultiplierBp = bonuses.multiplier("birthdayMultiplier", Program.MULTIPLIER_ONE);
        b.birthdayGift = bonuses.longValue("birthdayGift", 0, 0, Ledger.POINTS_MAX);
        final String reverse = bonuses.string("reverseWithFirstPurchase", "true");
        if (!"true".equals(reverse) && !"false".equals(reverse))
        {
            throw bonuses.error("reverseWithFirstPurchase", "must be true or false; got '" + reverse + "'");
        }
        b.reverseBonuses = "true".equals(reverse);
        bonuses.finish();

        final Section returns = root.section("returns");
        b.graceDays = (int)returns.longValue("graceDays", 0, 0, 365);
        final String shortfall = returns.string("shortfall", "owe");
        if (!"owe".equals(shortfall) && !"forgive".equals(shortfall))
        {
            throw returns.error("shortfall", "must be owe or forgive; got '" + shortfall + "'");
        }
        b.forgiveShortfall = "forgive".equals(shortfall);
        returns.finish();

        final Section lifecycle = root.section("lifecycle");
        b.newDays = (int)lifecycle.longValue("newDays", 30, 0, 3650);
        b.activeDays = (int)lifecycle.longValue("activeDays", 90, 1, 3650);
        b.activeEarns = (int)lifecycle.longValue("activeEarns", 2, 1, Program.ACTIVE_EARNS_MAX);
        b.atRiskDays = (int)lifecycle.longValue("atRiskDays", 180, 1, 3650);
        lifecycle.finish();
        if (b.atRiskDays < b.activeDays)
        {
            throw lifecycle.error("atRiskDays", "must not be shorter than activeDays");
        }
    }

    private static ZoneId zone(final Section root)
    {
        final String value = root.string("zone", "Asia/Shanghai");
        try
        {
            return ZoneId.of(value);
        }
        catch (final DateTimeException ex)
        {
            throw root.error("zone", "unknown time zone '" + value + "'");
        }
    }

    private static Program.TierWindow tierWindow(final Section tiers)
    {
        final String value = tiers.string("window", "lifetime");
        for (final Program.TierWindow w : Program.TierWindow.values())
        {
            if (w.text().equals(value))
            {
                return w;
            }
        }
        throw tiers.error("window", "must be one of lifetime, rolling12, calendarYear; got '" + value + "'");
    }

    /**
     * @return 0 for the membership anniversary, or month * 100 + day of a fixed evaluation date.
     */
    private static int evaluation(final Section tiers)
    {
        final String value = tiers.string("evaluation", "anniversary");
        if ("anniversary".equals(value))
        {
            return 0;
        }
        final int mmdd = CommandValidator.parseBirthday(value);
        if (mmdd <= 0 || mmdd == 229)
        {
            throw tiers.error("evaluation", "must be anniversary or a date MM-DD (not 02-29); got '" + value + "'");
        }
        return mmdd;
    }

    private static Program.Rounding rounding(final Section earning)
    {
        final String value = earning.string("rounding", "floor");
        for (final Program.Rounding r : Program.Rounding.values())
        {
            if (r.text().equals(value))
            {
                return r;
            }
        }
        throw earning.error("rounding", "must be one of floor, ceiling, half_up, half_even; got '" + value + "'");
    }

    private static Program.Campaign[] campaigns(final Section root, final ZoneId zone)
    {
        final List<Section> items = root.list("campaigns");
        if (items.size() > Program.CAMPAIGNS_MAX)
        {
            throw root.error("campaigns", "at most " + Program.CAMPAIGNS_MAX + " campaigns, got " + items.size());
        }
        final Program.Campaign[] campaigns = new Program.Campaign[items.size()];
        final Set<String> ids = new HashSet<>();
        for (int i = 0; i < campaigns.length; i++)
        {
            campaigns[i] = campaign(items.get(i), zone, ids);
        }
        return campaigns;
    }

    /** One campaign, its settings read in a fixed order; {@code ids} are those of the campaigns before it. */
    private static Program.Campaign campaign(final Section s, final ZoneId zone, final Set<String> ids)
    {
        final String id = s.string("id", null);
        if (null == id)
        {
            throw s.error("id", "every campaign needs an id");
        }
        if (!ID.matcher(id).matches())
        {
            throw s.error("id",
                "must be " + Limits.ID_LENGTH_RANGE + " of letters, digits, '.', '_', ':', '-', got '" + id + "'");
        }
        if (!ids.add(id))
        {
            throw s.error("id", "campaign id '" + id + "' is used twice");
        }
        if (Program.BIRTHDAY_LINE.equals(id))
        {
            throw s.error("id", "'" + id + "' is reserved for the birthday multiplier's line");
        }
        final long multiplier = s.multiplier("multiplier", -1);
        if (multiplier < 0)
        {
            throw s.error("multiplier", "every campaign needs a multiplier");
        }
        final long start = s.instant("start", zone);
        final long end = s.instant("end", zone);
        if (end <= start)
        {
            throw s.error("end", "must be after start");
        }
        final int channels = campaignChannels(s);
        final String[] categories = campaignCategories(s);
        final int minTier = campaignMinTier(s);
        final long budget = s.longValue("budgetPoints", 0, 0, Ledger.POINTS_MAX);
        final int segments = campaignSegments(s);
        s.finish();
        return new Program.Campaign(id, multiplier, start, end, channels == 0 ? Channel.ALL : channels,
            categories, minTier, budget, segments == 0 ? Segment.ALL : segments);
    }

    /** @return the channels' bits, 0 for none named. */
    private static int campaignChannels(final Section s)
    {
        int channels = 0;
        for (final Section.Item channel : s.strings("channels"))
        {
            final Channel c = Channel.fromText(channel.value);
            if (null == c)
            {
                throw channel.error("must be one of store, online, app (or CHANNEL_STORE, ...); got '" +
                    channel.value + "'");
            }
            channels |= c.bit();
        }
        return channels;
    }

    private static String[] campaignCategories(final Section s)
    {
        final List<Section.Item> categoryItems = s.strings("categories");
        final String[] categories = new String[categoryItems.size()];
        for (int k = 0; k < categories.length; k++)
        {
            categories[k] = categoryItems.get(k).value;
            if (!CommandValidator.isCategory(categories[k]))
            {
                throw categoryItems.get(k).error(
                    "a category is 1.." + CommandValidator.CATEGORY_LENGTH_MAX + " characters without ','");
            }
        }
        return categories;
    }

    /** @return the tier code named by minTier. */
    private static int campaignMinTier(final Section s)
    {
        final String minTierText = s.string("minTier", "member");
        for (int t = 0; t < TIER_KEYS.length; t++)
        {
            if (EnumNames.matches(minTierText, TIER_KEYS[t], "TIER_"))
            {
                return t + 1;
            }
        }
        throw s.error("minTier", "must be one of member, silver, gold, platinum (or TIER_MEMBER, ...); got '" +
            minTierText + "'");
    }

    /** @return the segments' bits, 0 for none named. */
    private static int campaignSegments(final Section s)
    {
        int segments = 0;
        for (final Section.Item segment : s.strings("segments"))
        {
            final Segment named = Segment.fromText(segment.value);
            if (null == named)
            {
                throw segment.error("must be one of new, active, atRisk, dormant (or SEGMENT_NEW, ...); got '" +
                    segment.value + "'");
            }
            segments |= named.bit();
        }
        return segments;
    }

    private static Program.Partner[] partners(final Section root, final String name)
    {
        final List<Section> items = root.list("partners");
        if (items.size() > Program.PARTNERS_MAX)
        {
            throw root.error("partners", "at most " + Program.PARTNERS_MAX + " partners, got " + items.size());
        }
        final Program.Partner[] partners = new Program.Partner[items.size()];
        final Set<String> names = new HashSet<>();
        for (int i = 0; i < partners.length; i++)
        {
            final Section s = items.get(i);
            final String program = s.string("program", null);
            if (null == program || program.isEmpty() || !CommandValidator.isProgramId(program))
            {
                throw s.error("program", "every partner names a program: " + Limits.ID_LENGTH_RANGE +
                    " characters, no control characters");
            }
            if (program.equals(name))
            {
                throw s.error("program", "a program cannot be its own partner");
            }
            if (!names.add(program))
            {
                throw s.error("program", "partner '" + program + "' is listed twice");
            }
            final long rate = s.decimal("rate", -1, new BigDecimal("0.0001"), BigDecimal.valueOf(10_000),
                "0.0001..10000");
            if (rate < 0)
            {
                throw s.error("rate", "every partner needs a rate: its points per point of this program");
            }
            final long minPoints = s.longValue("minPoints", 1, 1, Ledger.POINTS_MAX);
            final long dailyLimit = s.longValue("dailyLimit", 0, 0, Ledger.POINTS_MAX);
            final long totalLimit = s.longValue("totalLimit", 0, 0, Long.MAX_VALUE);
            s.finish();
            partners[i] = new Program.Partner(program, rate, minPoints, dailyLimit, totalLimit);
        }
        return partners;
    }

    // ------------------------------------------------------------------------------------------------ input

    private static boolean isLegacy(final String text)
    {
        for (final String row : text.split("\n", -1))
        {
            final String line = row.strip();
            if (!line.isEmpty() && !line.startsWith("#"))
            {
                return LEGACY_LINE.matcher(line).matches();
            }
        }
        return false;
    }

    private static MappingNode yamlTree(final String text)
    {
        final LoadSettings settings = LoadSettings.builder()
            .setLabel("program")
            .setAllowDuplicateKeys(false)
            .setMaxAliasesForCollections(0)
            .setCodePointLimit(CommandValidator.PROGRAM_TEXT_LENGTH_MAX * 4)
            .build();
        final Optional<Node> document;
        try
        {
            document = new Compose(settings).composeString(text);
        }
        catch (final MarkedYamlEngineException ex)
        {
            final int line = ex.getProblemMark().map(m -> m.getLine() + 1).orElse(0);
            throw new IllegalArgumentException("line " + line + ": not valid YAML: " + ex.getProblem());
        }
        catch (final YamlEngineException ex)
        {
            throw new IllegalArgumentException("line 0: not valid YAML: " + ex.getMessage());
        }
        if (document.isEmpty())
        {
            return new MappingNode(Tag.MAP, new ArrayList<>(), FlowStyle.BLOCK);
        }
        if (!(document.get() instanceof MappingNode))
        {
            throw new IllegalArgumentException(
                "line " + Section.line(document.get()) + ": a program is a mapping of settings (key: value)");
        }
        return (MappingNode)document.get();
    }

    /**
     * The older format: {@code key = value} lines, {@code #} comments. Its keys become paths of the YAML tree
     * ({@code expiry.zone} was the zone; {@code tier.X} became {@code tiers.X}).
     */
    private static MappingNode legacyTree(final String text)
    {
        final MappingNode root = new MappingNode(Tag.MAP, new ArrayList<>(), FlowStyle.BLOCK);
        final Set<String> seen = new HashSet<>();
        final String[] rows = text.split("\n", -1);
        for (int i = 0; i < rows.length; i++)
        {
            final String row = rows[i].strip();
            if (row.isEmpty() || row.startsWith("#"))
            {
                continue;
            }
            final int eq = row.indexOf('=');
            if (eq <= 0)
            {
                throw new IllegalArgumentException("line " + (i + 1) + ": expected 'key = value', got '" + row + "'");
            }
            final String key = row.substring(0, eq).strip();
            final String value = row.substring(eq + 1).strip();
            final String path;
            switch (key)
            {
                case "name":
                    path = "name";
                    break;
                case "expiry.zone":
                    path = "zone";
                    break;
                case "expiry.months":
                case "limits.lotsPerMemberMax":
                case "limits.requestRetentionDays":
                    path = key;
                    break;
                case "tier.silver":
                case "tier.gold":
                case "tier.platinum":
                    path = "tiers." + key.substring(5);
                    break;
                default:
                    throw new IllegalArgumentException("line " + (i + 1) + ": unknown key '" + key + "' (known: " +
                        "name, expiry.zone, expiry.months, tier.silver, tier.gold, tier.platinum, " +
                        "limits.lotsPerMemberMax, limits.requestRetentionDays)");
            }
            if (!seen.add(key))
            {
                throw new IllegalArgumentException("line " + (i + 1) + ": '" + key + "' given twice");
            }
            final Optional<Mark> mark = Optional.of(new Mark("program", 0, i, 0, new int[0], 0));
            MappingNode parent = root;
            final String[] parts = path.split("\\.");
            for (int p = 0; p < parts.length - 1; p++)
            {
                MappingNode child = null;
                for (final NodeTuple t : parent.getValue())
                {
                    if (((ScalarNode)t.getKeyNode()).getValue().equals(parts[p]))
                    {
                        child = (MappingNode)t.getValueNode();
                    }
                }
                if (null == child)
                {
                    child = new MappingNode(Tag.MAP, true, new ArrayList<>(), FlowStyle.BLOCK, mark, mark);
                    parent.getValue().add(new NodeTuple(scalar(parts[p], mark), child));
                }
                parent = child;
            }
            parent.getValue().add(new NodeTuple(scalar(parts[parts.length - 1], mark), scalar(value, mark)));
        }
        return root;
    }

    private static ScalarNode scalar(final String value, final Optional<Mark> mark)
    {
        return new ScalarNode(Tag.STR, true, value, ScalarStyle.PLAIN, mark, mark);
    }

    /**
     * A mapping being read: remembers which keys were asked for, so {@link #finish()} can refuse the others.
     */
    private static final class Section
    {
        private final MappingNode node;
        private final String path;
        private final Set<String> used = new LinkedHashSet<>();

        Section(final MappingNode node, final String path)
        {
            this.node = node;
            this.path = path;
        }

        static int line(final Node node)
        {
            return node.getStartMark().map(m -> m.getLine() + 1).orElse(0);
        }

        private String pathOf(final String key)
        {
            return path.isEmpty() ? key : path + "." + key;
        }

        IllegalArgumentException error(final String key, final String reason)
        {
            final NodeTuple tuple = find(key);
            final int line = null == tuple ? line(node) : line(tuple.getValueNode());
            return new IllegalArgumentException("line " + line + ": " + pathOf(key) + ": " + reason);
        }

        private NodeTuple find(final String key)
        {
            for (final NodeTuple t : node.getValue())
            {
                if (t.getKeyNode() instanceof ScalarNode && ((ScalarNode)t.getKeyNode()).getValue().equals(key))
                {
                    return t;
                }
            }
            return null;
        }

        private Node value(final String key)
        {
            used.add(key);
            final NodeTuple tuple = find(key);
            return null == tuple ? null : tuple.getValueNode();
        }

        String string(final String key, final String absent)
        {
            final Node value = value(key);
            if (null == value)
            {
                return absent;
            }
            if (!(value instanceof ScalarNode))
            {
                throw error(key, "must be a single value");
            }
            return ((ScalarNode)value).getValue().strip();
        }

        long longValue(final String key, final long absent, final long min, final long max)
        {
            final String value = string(key, null);
            if (null == value)
            {
                return absent;
            }
            final long parsed;
            try
            {
                parsed = Long.parseLong(value.replace("_", "").replace(",", ""));
            }
            catch (final NumberFormatException ex)
            {
                throw error(key, "not a whole number: '" + value + "'");
            }
            if (parsed < min || parsed > max)
            {
                throw error(key, parsed + " is outside " + min + ".." + max);
            }
            return parsed;
        }

        /**
         * A multiplier: a decimal 1..100 with at most four decimals, returned in ten-thousandths.
         */
        long multiplier(final String key, final long absent)
        {
            return decimal(key, absent, BigDecimal.ONE, BigDecimal.valueOf(100), "1..100");
        }

        /**
         * A decimal within [min, max] with at most four decimals, returned in ten-thousandths.
         */
        long decimal(final String key, final long absent, final BigDecimal min, final BigDecimal max,
            final String range)
        {
            final String value = string(key, null);
            if (null == value)
            {
                return absent;
            }
            final BigDecimal parsed;
            try
            {
                parsed = new BigDecimal(value);
            }
            catch (final NumberFormatException ex)
            {
                throw error(key, "not a decimal number: '" + value + "'");
            }
            if (parsed.stripTrailingZeros().scale() > 4)
            {
                throw error(key, "at most four decimals, got '" + value + "'");
            }
            if (parsed.compareTo(min) < 0 || parsed.compareTo(max) > 0)
            {
                throw error(key, value + " is outside " + range);
            }
            return parsed.movePointRight(4).longValueExact();
        }

        long instant(final String key, final ZoneId zone)
        {
            final String value = string(key, null);
            if (null == value)
            {
                throw error(key, "required: a date and time such as 2026-11-11T00:00 (in the program's zone) or " +
                    "2026-11-11T00:00+08:00");
            }
            try
            {
                return OffsetDateTime.parse(value).toInstant().toEpochMilli();
            }
            catch (final DateTimeParseException notOffset)
            {
                try
                {
                    return LocalDateTime.parse(value).atZone(zone).toInstant().toEpochMilli();
                }
                catch (final DateTimeParseException ex)
                {
                    throw error(key, "not a date and time such as 2026-11-11T00:00: '" + value + "'");
                }
            }
        }

        Section section(final String key)
        {
            final Node value = value(key);
            if (null == value)
            {
                return new Section(new MappingNode(Tag.MAP, new ArrayList<>(), FlowStyle.BLOCK), pathOf(key));
            }
            if (!(value instanceof MappingNode))
            {
                throw error(key, "must be a mapping of settings (key: value)");
            }
            return new Section((MappingNode)value, pathOf(key));
        }

        List<Section> list(final String key)
        {
            final Node value = value(key);
            final List<Section> items = new ArrayList<>();
            if (null == value)
            {
                return items;
            }
            if (!(value instanceof SequenceNode))
            {
                throw error(key, "must be a list");
            }
            final List<Node> nodes = ((SequenceNode)value).getValue();
            for (int i = 0; i < nodes.size(); i++)
            {
                if (!(nodes.get(i) instanceof MappingNode))
                {
                    throw new IllegalArgumentException(
                        "line " + line(nodes.get(i)) + ": " + pathOf(key) + "[" + i + "]: must be a mapping");
                }
                items.add(new Section((MappingNode)nodes.get(i), pathOf(key) + "[" + i + "]"));
            }
            return items;
        }

        List<Item> strings(final String key)
        {
            final Node value = value(key);
            final List<Item> items = new ArrayList<>();
            if (null == value)
            {
                return items;
            }
            if (!(value instanceof SequenceNode))
            {
                throw error(key, "must be a list, such as [a, b]");
            }
            final List<Node> nodes = ((SequenceNode)value).getValue();
            for (int i = 0; i < nodes.size(); i++)
            {
                final String itemPath = pathOf(key) + "[" + i + "]";
                if (!(nodes.get(i) instanceof ScalarNode))
                {
                    throw new IllegalArgumentException(
                        "line " + line(nodes.get(i)) + ": " + itemPath + ": not a value");
                }
                items.add(new Item(((ScalarNode)nodes.get(i)).getValue().strip(), line(nodes.get(i)), itemPath));
            }
            return items;
        }

        void finish()
        {
            final Set<String> seen = new HashSet<>();
            for (final NodeTuple t : node.getValue())
            {
                if (!(t.getKeyNode() instanceof ScalarNode))
                {
                    throw new IllegalArgumentException("line " + line(t.getKeyNode()) + ": keys must be names");
                }
                final String key = ((ScalarNode)t.getKeyNode()).getValue();
                if (!seen.add(key))
                {
                    throw new IllegalArgumentException(
                        "line " + line(t.getKeyNode()) + ": " + pathOf(key) + ": given twice");
                }
                if (!used.contains(key))
                {
                    throw new IllegalArgumentException("line " + line(t.getKeyNode()) + ": " + pathOf(key) +
                        ": unknown setting (known here: " + String.join(", ", used) + ")");
                }
            }
        }

        static final class Item
        {
            final String value;
            final int line;
            final String path;

            Item(final String value, final int line, final String path)
            {
                this.value = value;
                this.line = line;
                this.path = path;
            }

            IllegalArgumentException error(final String reason)
            {
                return new IllegalArgumentException("line " + line + ": " + path + ": " + reason);
            }
        }
    }
}
