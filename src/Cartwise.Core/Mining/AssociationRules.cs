using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Cartwise.Core.Mining;

/// <summary>Which rules to keep. Validated when built.</summary>
public sealed record RuleOptions
{
    /// <summary>Minimum confidence, 0–1.</summary>
    public double MinConfidence { get; }

    /// <summary>Minimum lift (0 keeps all).</summary>
    public double MinLift { get; }

    /// <summary>Largest right-hand side; 1 makes rules as arules does.</summary>
    public int MaxConsequent { get; }

    /// <summary>Builds and checks the options.</summary>
    public RuleOptions(double minConfidence = 0.5, double minLift = 0, int maxConsequent = 1)
    {
        if (double.IsNaN(minConfidence) || minConfidence is < 0 or > 1) throw new ArgumentException($"minConfidence must be in [0, 1], not {minConfidence}.", nameof(minConfidence));
        if (double.IsNaN(minLift) || minLift < 0) throw new ArgumentException($"minLift must be 0 or more, not {minLift}.", nameof(minLift));
        if (maxConsequent < 1) throw new ArgumentException("maxConsequent must be at least 1.", nameof(maxConsequent));
        MinConfidence = minConfidence;
        MinLift = minLift;
        MaxConsequent = maxConsequent;
    }
}

/// <summary>
/// An association rule A ⇒ C with its figures. Support is a basket count; the others follow the usual definitions:
/// confidence = s(A∪C)/s(A), lift = confidence / P(C), leverage = P(A∪C) − P(A)·P(C),
/// conviction = (1 − P(C)) / (1 − confidence) (∞ when confidence is 1).
/// </summary>
public sealed record AssociationRule(int[] Antecedent, int[] Consequent, int Support, double Confidence, double Lift, double Leverage, double Conviction);

/// <summary>Derives association rules from frequent itemsets. Pure and thread-safe.</summary>
public static class AssociationRules
{
    /// <summary>
    /// Every rule A ⇒ C with A non-empty, |C| ≤ <see cref="RuleOptions.MaxConsequent"/>, A∪C frequent, passing the
    /// confidence and lift thresholds. Itemsets must be closed under subsets (FP-Growth output is).
    /// </summary>
    public static List<AssociationRule> Generate(MiningResult mined, RuleOptions options)
    {
        var supports = new Dictionary<ItemsetKey, int>(mined.Itemsets.Count);
        foreach (var s in mined.Itemsets) supports[new ItemsetKey(s.Items)] = s.Support;
        double n = mined.BasketCount;
        var rules = new List<AssociationRule>();
        var consequent = new List<int>();
        foreach (var set in mined.Itemsets)
        {
            if (set.Items.Length < 2) continue;
            var maxC = Math.Min(options.MaxConsequent, set.Items.Length - 1);
            // Every non-empty proper subset of size ≤ maxC as the consequent, by bit mask (itemsets are short).
            var size = set.Items.Length;
            if (size > 30) throw new InvalidOperationException("Itemsets longer than 30 items are not supported for rules.");
            for (var mask = 1; mask < (1 << size) - 1; mask++)
            {
                if (System.Numerics.BitOperations.PopCount((uint)mask) > maxC) continue;
                var c = new int[System.Numerics.BitOperations.PopCount((uint)mask)];
                var a = new int[size - c.Length];
                int ci = 0, ai = 0;
                for (var i = 0; i < size; i++)
                    if ((mask & (1 << i)) != 0) c[ci++] = set.Items[i];
                    else a[ai++] = set.Items[i];
                var supportA = supports[new ItemsetKey(a)];
                var confidence = (double)set.Support / supportA;
                if (confidence < options.MinConfidence - 1e-12) continue;
                var supportC = c.Length == 1 ? mined.ItemSupport[c[0]] : supports[new ItemsetKey(c)];
                var pC = supportC / n;
                var lift = confidence / pC;
                if (lift < options.MinLift - 1e-12) continue;
                var leverage = set.Support / n - supportA / n * pC;
                var conviction = confidence >= 1 ? double.PositiveInfinity : (1 - pC) / (1 - confidence);
                rules.Add(new AssociationRule(a, c, set.Support, confidence, lift, leverage, conviction));
            }
        }
        return rules;
    }

    /// <summary>An itemset as a dictionary key (ascending ids, compared by content).</summary>
    private readonly struct ItemsetKey(int[] items) : IEquatable<ItemsetKey>
    {
        private readonly int[] _items = items;

        public bool Equals(ItemsetKey other) => _items.AsSpan().SequenceEqual(other._items);

        public override bool Equals(object? obj) => obj is ItemsetKey k && Equals(k);

        public override int GetHashCode()
        {
            var h = new HashCode();
            foreach (var i in _items) h.Add(i);
            return h.ToHashCode();
        }
    }
}

/// <summary>
/// Turns baskets of item names into dense ids and back. Not thread-safe while adding; safe to read after.
/// </summary>
public sealed class ItemIds
{
    private readonly Dictionary<string, int> _ids;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _byText;
    private readonly List<string> _names = [];
    private int[] _byNumber = []; // id + 1 of the name that is this number, 0 when none yet

    /// <summary>No names yet.</summary>
    public ItemIds()
    {
        _ids = new(StringComparer.Ordinal);
        _byText = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The id of <paramref name="name"/>, assigned on first sight.</summary>
    public int Id(string name)
    {
        if (_ids.TryGetValue(name, out var id)) return id;
        _ids[name] = id = _names.Count;
        _names.Add(name);
        return id;
    }

    /// <summary>
    /// The id of the UTF-8 name in <paramref name="utf8"/>, assigned on first sight; a string is made only then. Names
    /// that are plain numbers (basket files of the FIMI format are all numbers) are found by their value in an array.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Id(ReadOnlySpan<byte> utf8)
    {
        if (AsNumber(utf8) is var number and >= 0)
        {
            if (number < _byNumber.Length && _byNumber[number] > 0) return _byNumber[number] - 1;
            var found = Id(number.ToString(CultureInfo.InvariantCulture));
            if (number >= _byNumber.Length) Array.Resize(ref _byNumber, Math.Max(number + 1, _byNumber.Length * 2));
            _byNumber[number] = found + 1;
            return found;
        }
        Span<char> chars = utf8.Length <= 256 ? stackalloc char[utf8.Length] : new char[utf8.Length];
        var length = Encoding.UTF8.GetChars(utf8, chars);
        if (_byText.TryGetValue(chars[..length], out var id)) return id;
        return Id(chars[..length].ToString());
    }

    /// <summary>The value of a name written as a number without sign or leading zeros, below a million; else -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int AsNumber(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty || utf8.Length > 6 || (utf8[0] == '0' && utf8.Length > 1)) return -1;
        var value = 0;
        foreach (var b in utf8)
        {
            if (b is < (byte)'0' or > (byte)'9') return -1;
            value = value * 10 + (b - '0');
        }
        return value;
    }

    /// <summary>The name of an id.</summary>
    public string Name(int id) => _names[id];

    /// <summary>Number of distinct items seen.</summary>
    public int Count => _names.Count;
}
