using System.Diagnostics;

namespace Cartwise.Core.Mining;

/// <summary>
/// What counts as frequent. Give <see cref="MinSupport"/> as a fraction of baskets (0 &lt; s ≤ 1) or
/// <see cref="MinSupportCount"/> as a number of baskets; validated when built.
/// </summary>
public sealed record MiningOptions
{
    /// <summary>Minimum support as a fraction of the baskets.</summary>
    public double? MinSupport { get; }

    /// <summary>Minimum support as a number of baskets.</summary>
    public int? MinSupportCount { get; }

    /// <summary>Largest itemset size; 0 for no limit.</summary>
    public int MaxLength { get; }

    /// <summary>Builds and checks the options.</summary>
    /// <exception cref="ArgumentException">Neither or both supports given, or one out of range.</exception>
    public MiningOptions(double? minSupport = null, int? minSupportCount = null, int maxLength = 0)
    {
        if (minSupport is null == minSupportCount is null) throw new ArgumentException("Give exactly one of minSupport (a fraction) and minSupportCount.");
        if (minSupport is { } s && (double.IsNaN(s) || s <= 0 || s > 1)) throw new ArgumentException($"minSupport must be in (0, 1], not {s}.", nameof(minSupport));
        if (minSupportCount is < 1) throw new ArgumentException("minSupportCount must be at least 1.", nameof(minSupportCount));
        if (maxLength < 0) throw new ArgumentException("maxLength must be 0 (no limit) or more.", nameof(maxLength));
        MinSupport = minSupport;
        MinSupportCount = minSupportCount;
        MaxLength = maxLength;
    }

    /// <summary>
    /// The minimum count for <paramref name="baskets"/> baskets: an itemset is frequent when count / baskets ≥ support,
    /// as arules, SPMF and mlxtend define it (the tolerance absorbs binary rounding of fractions such as 0.001).
    /// </summary>
    public int MinCount(int baskets) =>
        MinSupportCount ?? Math.Max(1, (int)Math.Ceiling(MinSupport!.Value * baskets - 1e-9));
}

/// <summary>A set of item ids (ascending) and the number of baskets that contain all of them.</summary>
public readonly record struct FrequentItemset(int[] Items, int Support);

/// <summary>The frequent itemsets of a basket set.</summary>
/// <param name="BasketCount">Baskets mined (empty ones included).</param>
/// <param name="MinCount">The support count an itemset needed.</param>
/// <param name="ItemSupport">Support of every single item id that appears, frequent or not (index = item id).</param>
public sealed record MiningResult(IReadOnlyList<FrequentItemset> Itemsets, int BasketCount, int MinCount, int[] ItemSupport);

/// <summary>
/// FP-Growth (Han, Pei &amp; Yin 2000): frequent itemsets without candidate generation. Items are dense
/// <c>int</c> ids; trees are flat arrays. Pure and thread-safe (no shared state between calls).
/// </summary>
public static class FpGrowth
{
    /// <summary>Mines <paramref name="baskets"/> (each an array of item ids ≥ 0; duplicates inside a basket count once).</summary>
    public static MiningResult Mine(IReadOnlyList<int[]> baskets, MiningOptions options)
    {
        var output = new List<FrequentItemset>();
        var result = Mine(baskets, options, (items, support) => output.Add(new FrequentItemset(items.ToArray(), support)));
        return result with { Itemsets = output };
    }

    /// <summary>
    /// Mines and hands each frequent itemset to <paramref name="emit"/> (items ascending; the span is reused after the
    /// call returns) instead of collecting them: memory then does not grow with the number of itemsets.
    /// </summary>
    public static MiningResult Mine(IReadOnlyList<int[]> baskets, MiningOptions options, ItemsetSink emit)
    {
        var minCount = options.MinCount(baskets.Count);
        var maxItem = -1;
        foreach (var b in baskets)
            foreach (var i in b)
            {
                if (i < 0) throw new ArgumentException("Item ids must be 0 or more.", nameof(baskets));
                if (i > maxItem) maxItem = i;
            }
        var support = new int[maxItem + 1];
        var seen = new int[maxItem + 1];
        Array.Fill(seen, -1);
        for (var bi = 0; bi < baskets.Count; bi++)
            foreach (var i in baskets[bi])
                if (seen[i] != bi) { seen[i] = bi; support[i]++; }

        // Frequent items ranked by descending support (ties by id): rank 0 is the most frequent.
        var frequent = Enumerable.Range(0, support.Length).Where(i => support[i] >= minCount)
            .OrderByDescending(i => support[i]).ThenBy(i => i).ToArray();
        var rank = new int[support.Length];
        Array.Fill(rank, -1);
        for (var r = 0; r < frequent.Length; r++) rank[frequent[r]] = r;

        var tree = new FpTree(frequent.Length, frequent, baskets.Count + 1);
        var path = new List<int>(64);
        for (var bi = 0; bi < baskets.Count; bi++)
        {
            path.Clear();
            foreach (var i in baskets[bi])
                if (rank[i] >= 0 && seen[i] != -2 - bi) { seen[i] = -2 - bi; path.Add(rank[i]); }
            if (path.Count == 0) continue;
            path.Sort();
            tree.Add(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(path), 1);
        }

        var miner = new Miner(minCount, options.MaxLength, emit);
        miner.Run(tree);
        return new MiningResult([], baskets.Count, minCount, support);
    }

    private sealed class Miner(int minCount, int maxLength, ItemsetSink emit)
    {
        private readonly List<int> _prefix = [];
        private int[] _scratch = new int[64];

        public void Run(FpTree tree)
        {
            if (tree.IsSinglePath(out var pathNodes)) EmitSinglePath(tree, pathNodes);
            else MineTree(tree);
        }

        private void Emit(int support)
        {
            if (_scratch.Length < _prefix.Count) _scratch = new int[_prefix.Count * 2];
            var span = _scratch.AsSpan(0, _prefix.Count);
            for (var i = 0; i < span.Length; i++) span[i] = _prefix[i];
            span.Sort();
            emit(span, support);
        }

        private bool Full => maxLength > 0 && _prefix.Count >= maxLength;

        private void MineTree(FpTree tree)
        {
            // Least frequent first: its conditional base holds only items ranked before it.
            for (var item = tree.ItemCount - 1; item >= 0; item--)
            {
                var support = tree.HeadCount[item];
                if (support < minCount) continue;
                _prefix.Add(tree.ToGlobal[item]);
                Emit(support);
                if (!Full && item > 0)
                {
                    var conditional = tree.Conditional(item, minCount);
                    if (conditional is not null) Run(conditional);
                }
                _prefix.RemoveAt(_prefix.Count - 1);
            }
        }

        /// <summary>
        /// A tree that is one path: every combination of its nodes is frequent, with the count of its deepest node
        /// (counts only fall along a path). Enumerated directly instead of recursing.
        /// </summary>
        private void EmitSinglePath(FpTree tree, List<int> nodes)
        {
            var usable = nodes.Where(n => tree.Count[n] >= minCount).ToList();
            var limit = maxLength > 0 ? maxLength - _prefix.Count : int.MaxValue;
            Combine(tree, usable, 0, limit);
        }

        private void Combine(FpTree tree, List<int> nodes, int from, int limit)
        {
            if (limit <= 0) return;
            for (var i = from; i < nodes.Count; i++)
            {
                _prefix.Add(tree.ToGlobal[tree.Item[nodes[i]]]);
                Emit(tree.Count[nodes[i]]);
                Combine(tree, nodes, i + 1, limit - 1);
                _prefix.RemoveAt(_prefix.Count - 1);
            }
        }
    }
}

/// <summary>Receives one frequent itemset (ascending item ids) and its support.</summary>
public delegate void ItemsetSink(ReadOnlySpan<int> items, int support);

/// <summary>
/// An FP-tree in flat arrays. Node 0 is the root. Items are local ranks (0 = most frequent in this tree);
/// <see cref="ToGlobal"/> maps them back. Children are a sibling list, except the root's, which are indexed by item.
/// </summary>
internal sealed class FpTree
{
    public readonly int ItemCount;
    public readonly int[] ToGlobal;
    public readonly int[] HeadFirst;
    public readonly int[] HeadCount;
    public int[] Item, Count, Parent, Next, FirstChild, Sibling;
    private readonly int[] _rootChild;
    private int _nodes = 1;

    public FpTree(int itemCount, int[] toGlobal, int capacity)
    {
        ItemCount = itemCount;
        ToGlobal = toGlobal;
        HeadFirst = new int[itemCount];
        Array.Fill(HeadFirst, -1);
        HeadCount = new int[itemCount];
        _rootChild = new int[itemCount];
        Array.Fill(_rootChild, -1);
        capacity = Math.Max(16, capacity);
        Item = new int[capacity];
        Count = new int[capacity];
        Parent = new int[capacity];
        Next = new int[capacity];
        FirstChild = new int[capacity];
        Sibling = new int[capacity];
        FirstChild[0] = -1;
        Parent[0] = -1;
        Item[0] = -1;
    }

    /// <summary>Adds a path of ranks in ascending order (most frequent first) with a count.</summary>
    public void Add(ReadOnlySpan<int> ranks, int count)
    {
        var node = 0;
        foreach (var r in ranks)
        {
            int child;
            if (node == 0) child = _rootChild[r];
            else
            {
                child = FirstChild[node];
                while (child != -1 && Item[child] != r) child = Sibling[child];
            }
            if (child == -1)
            {
                child = NewNode(r, node);
                if (node == 0) _rootChild[r] = child;
            }
            Count[child] += count;
            HeadCount[r] += count;
            node = child;
        }
    }

    private int NewNode(int item, int parent)
    {
        if (_nodes == Item.Length) Grow();
        var n = _nodes++;
        Item[n] = item;
        Count[n] = 0;
        Parent[n] = parent;
        FirstChild[n] = -1;
        Sibling[n] = FirstChild[parent];
        FirstChild[parent] = n;
        Next[n] = HeadFirst[item];
        HeadFirst[item] = n;
        return n;
    }

    private void Grow()
    {
        var size = Item.Length * 2;
        Array.Resize(ref Item, size);
        Array.Resize(ref Count, size);
        Array.Resize(ref Parent, size);
        Array.Resize(ref Next, size);
        Array.Resize(ref FirstChild, size);
        Array.Resize(ref Sibling, size);
    }

    /// <summary>True when every node has at most one child; the path's nodes from the top are given.</summary>
    public bool IsSinglePath(out List<int> nodes)
    {
        nodes = [];
        var node = 0;
        while (true)
        {
            var child = FirstChild[node];
            if (child == -1) return true;
            if (Sibling[child] != -1) return false;
            nodes.Add(child);
            node = child;
        }
    }

    /// <summary>The conditional FP-tree of <paramref name="item"/>: its prefix paths, with items infrequent in them dropped.</summary>
    public FpTree? Conditional(int item, int minCount)
    {
        // Items on prefix paths all rank before 'item'.
        var counts = new int[item];
        var pathNodes = 0;
        for (var n = HeadFirst[item]; n != -1; n = Next[n])
        {
            var c = Count[n];
            for (var p = Parent[n]; p > 0; p = Parent[p])
            {
                counts[Item[p]] += c;
                pathNodes++;
            }
        }
        var frequent = new List<int>();
        for (var i = 0; i < item; i++) if (counts[i] >= minCount) frequent.Add(i);
        if (frequent.Count == 0) return null;
        frequent.Sort((a, b) => counts[b] != counts[a] ? counts[b].CompareTo(counts[a]) : a.CompareTo(b));
        var local = new int[item];
        Array.Fill(local, -1);
        var toGlobal = new int[frequent.Count];
        for (var r = 0; r < frequent.Count; r++)
        {
            local[frequent[r]] = r;
            toGlobal[r] = ToGlobal[frequent[r]];
        }
        var tree = new FpTree(frequent.Count, toGlobal, Math.Min(pathNodes + 1, 1 << 20));
        var path = new int[item];
        for (var n = HeadFirst[item]; n != -1; n = Next[n])
        {
            var len = 0;
            for (var p = Parent[n]; p > 0; p = Parent[p])
                if (local[Item[p]] >= 0) path[len++] = local[Item[p]];
            if (len == 0) continue;
            var span = path.AsSpan(0, len);
            span.Sort();
            tree.Add(span, Count[n]);
        }
        Debug.Assert(tree.HeadCount.All(c => c >= minCount));
        return tree;
    }
}
