using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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

    /// <summary>
    /// Threads that mine the first level's items side by side (1: the calling thread only). The itemsets and their
    /// order are the same for any number.
    /// </summary>
    public int Threads { get; }

    /// <summary>Builds and checks the options.</summary>
    /// <exception cref="ArgumentException">Neither or both supports given, or one out of range.</exception>
    public MiningOptions(double? minSupport = null, int? minSupportCount = null, int maxLength = 0, int threads = 1)
    {
        if (minSupport is null == minSupportCount is null) throw new ArgumentException("Give exactly one of minSupport (a fraction) and minSupportCount.");
        if (minSupport is { } s && (double.IsNaN(s) || s <= 0 || s > 1)) throw new ArgumentException($"minSupport must be in (0, 1], not {s}.", nameof(minSupport));
        if (minSupportCount is < 1) throw new ArgumentException("minSupportCount must be at least 1.", nameof(minSupportCount));
        if (maxLength < 0) throw new ArgumentException("maxLength must be 0 (no limit) or more.", nameof(maxLength));
        if (threads < 1) throw new ArgumentException("threads must be 1 or more.", nameof(threads));
        Threads = threads;
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
/// <c>int</c> ids. The first level reads each item's conditional base from the baskets (as arrays of ranks, equal
/// baskets merged); deeper levels build conditional FP-trees in flat arrays, with the counts of item pairs taken as
/// paths are added (the FP-array of Grahne &amp; Zhu), so an item's frequent partners are known without a walk.
/// Pure and thread-safe (no shared state between calls).
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
        var keys = new List<long>();
        for (var i = 0; i < support.Length; i++)
            if (support[i] >= minCount) keys.Add(((long)(int.MaxValue - support[i]) << 32) | (uint)i);
        keys.Sort();
        var frequent = new int[keys.Count];
        for (var r = 0; r < frequent.Length; r++) frequent[r] = (int)keys[r];
        var rank = new int[support.Length];
        Array.Fill(rank, -1);
        for (var r = 0; r < frequent.Length; r++) rank[frequent[r]] = r;

        var ranked = RankedBaskets.Build(baskets, rank, frequent.Length);
        // Least frequent first: its conditional base holds only items ranked before it.
        if (options.Threads == 1 || frequent.Length < 2)
        {
            var miner = new Miner(minCount, options.MaxLength, emit);
            for (var item = frequent.Length - 1; item >= 0; item--) miner.RunTop(ranked, frequent, support, item);
        }
        else MineInParallel(ranked, frequent, support, minCount, options, emit);
        return new MiningResult([], baskets.Count, minCount, support);
    }

    /// <summary>
    /// The first level's items shared among threads, each taking the next item when it is done with one. Every item's
    /// itemsets are collected in a block, and blocks reach <paramref name="emit"/> in item order, one call at a time:
    /// the output is the same as on one thread.
    /// </summary>
    private static void MineInParallel(RankedBaskets ranked, int[] frequent, int[] support, int minCount, MiningOptions options, ItemsetSink emit)
    {
        var blocks = new ItemsetBlock?[frequent.Length];
        var next = frequent.Length;
        var due = frequent.Length - 1;
        var gate = new Lock();
        Exception? failure = null;
        void Work()
        {
            try
            {
                var block = new ItemsetBlock();
                var miner = new Miner(minCount, options.MaxLength, block.Add);
                for (int item; (item = Interlocked.Decrement(ref next)) >= 0;)
                {
                    miner.RunTop(ranked, frequent, support, item);
                    lock (gate)
                    {
                        blocks[item] = block;
                        // Whoever completes the block that is due hands over every finished block after it.
                        for (; due >= 0 && blocks[due] is { } ready; due--)
                        {
                            ready.EmitTo(emit);
                            blocks[due] = null;
                        }
                    }
                    block = new ItemsetBlock();
                    miner.Sink = block.Add;
                }
            }
            catch (Exception e)
            {
                // The first failure stops every thread and reaches the caller.
                Interlocked.CompareExchange(ref failure, e, null);
                Interlocked.Exchange(ref next, int.MinValue / 2);
            }
        }
        // Plain threads beside the calling one: started in well under a millisecond, where a parallel loop's
        // machinery costs a process that mines a few thousand baskets more than the mining.
        var helpers = new Thread[Math.Min(options.Threads, frequent.Length) - 1];
        for (var t = 0; t < helpers.Length; t++)
        {
            helpers[t] = new Thread(Work) { IsBackground = true, Name = "FP-Growth" };
            helpers[t].Start();
        }
        Work();
        foreach (var thread in helpers) thread.Join();
        if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
    }

    /// <summary>Itemsets kept in one flat list (length, support, items …) until they can be handed over in order.</summary>
    private sealed class ItemsetBlock
    {
        private readonly List<int> _data = [];

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Add(ReadOnlySpan<int> items, int support)
        {
            _data.Add(items.Length);
            _data.Add(support);
            _data.AddRange(items);
        }

        public void EmitTo(ItemsetSink emit)
        {
            var data = CollectionsMarshal.AsSpan(_data);
            for (var k = 0; k < data.Length; k += 2 + data[k]) emit(data.Slice(k + 2, data[k]), data[k + 1]);
        }
    }

    /// <summary>
    /// The recursion. Conditional trees keep their parent's item order (most frequent first at the top level), so a
    /// prefix path read bottom-up is already in reverse order and needs no sort; each depth reuses one tree and its
    /// scratch arrays instead of allocating them per item.
    /// </summary>
    private sealed class Miner(int minCount, int maxLength, ItemsetSink emit)
    {
        public ItemsetSink Sink { get; set; } = emit;

        private readonly List<FpTree> _trees = [];
        private int[] _prefix = new int[64];
        private int _depth;
        private int[] _scratch = new int[64];

        /// <summary>
        /// The first level straight from the baskets: each item's conditional tree is built from the baskets'
        /// prefixes before it, read in sequence, instead of walking a tree of every basket upwards node by node.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void RunTop(RankedBaskets baskets, int[] toGlobal, int[] support, int item)
        {
            Push(toGlobal[item]);
            Emit(support[toGlobal[item]]);
            if (!Full && item > 0)
            {
                var conditional = TreeAt(_depth);
                if (baskets.Conditional(item, minCount, toGlobal, conditional, Deeper)) Run(conditional);
            }
            _depth--;
        }

        public void Run(FpTree tree)
        {
            if (tree.SinglePath) EmitSinglePath(tree);
            else MineTree(tree);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Emit(int support)
        {
            if (_scratch.Length < _depth) _scratch = new int[_depth * 2];
            var span = _scratch.AsSpan(0, _depth);
            _prefix.AsSpan(0, _depth).CopyTo(span);
            span.Sort();
            Sink(span, support);
        }

        private void Push(int item)
        {
            if (_depth == _prefix.Length) Array.Resize(ref _prefix, _depth * 2);
            _prefix[_depth++] = item;
        }

        /// <summary>Whether a conditional tree built now will have conditional trees of its own (its pairs are counted then).</summary>
        private bool Deeper => maxLength == 0 || _depth + 1 < maxLength;

        private bool Full => maxLength > 0 && _depth >= maxLength;

        private FpTree TreeAt(int depth)
        {
            while (_trees.Count <= depth) _trees.Add(new FpTree());
            return _trees[depth];
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void MineTree(FpTree tree)
        {
            // Least frequent first: its conditional base holds only items ranked before it.
            for (var item = tree.ItemCount - 1; item >= 0; item--)
            {
                var support = tree.HeadCount[item];
                if (support < minCount) continue;
                Push(tree.ToGlobal[item]);
                Emit(support);
                if (!Full && item > 0)
                {
                    var conditional = TreeAt(_depth);
                    if (tree.Conditional(item, minCount, conditional, Deeper)) Run(conditional);
                }
                _depth--;
            }
        }

        /// <summary>
        /// A tree that is one path: every combination of its nodes is frequent, with the count of its deepest node
        /// (counts only fall along a path). Enumerated directly instead of recursing.
        /// </summary>
        private void EmitSinglePath(FpTree tree)
        {
            var nodes = new List<int>();
            for (var n = tree.FirstChild[0]; n != -1; n = tree.FirstChild[n])
                if (tree.Nodes[n].Count >= minCount) nodes.Add(n);
            var limit = maxLength > 0 ? maxLength - _depth : int.MaxValue;
            Combine(tree, nodes, 0, limit);
        }

        private void Combine(FpTree tree, List<int> nodes, int from, int limit)
        {
            if (limit <= 0) return;
            for (var i = from; i < nodes.Count; i++)
            {
                ref readonly var node = ref tree.Nodes[nodes[i]];
                Push(tree.ToGlobal[node.Item]);
                Emit(node.Count);
                Combine(tree, nodes, i + 1, limit - 1);
                _depth--;
            }
        }
    }
}

/// <summary>Receives one frequent itemset (ascending item ids) and its support.</summary>
public delegate void ItemsetSink(ReadOnlySpan<int> items, int support);

/// <summary>
/// An FP-tree in flat arrays, reused from one conditional tree to the next. Node 0 is the root. Items are local
/// ranks (0 = first in the tree's order); <see cref="ToGlobal"/> maps them back. A node's item, count, parent and
/// next node of the same item sit together (one cache line on the bottom-up walks that dominate mining); children
/// are a sibling list, except the root's, which are indexed by item.
/// </summary>
internal sealed class FpTree
{
    public struct Node
    {
        public int Item, Count, Parent, Next;
    }

    public int ItemCount;
    public int[] ToGlobal = [];
    public int[] HeadFirst = [];
    public int[] HeadCount = [];
    public Node[] Nodes = new Node[16];
    public int[] FirstChild = new int[16];
    private int[] _sibling = new int[16];
    private int[] _rootChild = [];
    private int _nodes;

    // Scratch of the conditional trees built from this one, kept between calls: item counts and local ranks (the
    // baskets' first level uses its target's).
    public int[] Counts = [];
    public int[] Local = [];
    // How often each pair of items occurs, counted as paths are added (pair (a, b), a > b, at Row(a) + b): the
    // conditional tree of an item then knows its frequent items without walking its paths, and an item with none
    // is passed over without a walk. Up to PairsUpTo items (a triangle of 2 million counts); above, the paths are
    // walked to count.
    public const int PairsUpTo = 2048;
    private int[] _pairs = [];
    private bool _pairsOn;

    public static int Row(int item) => item * (item - 1) / 2;

    /// <summary>Adds <paramref name="weight"/> to the count of every pair of <paramref name="ranks"/> (ascending).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CountPairs(int[] pairs, ReadOnlySpan<int> ranks, int weight)
    {
        for (var x = 1; x < ranks.Length; x++)
        {
            var row = pairs.AsSpan(Row(ranks[x]));
            for (var y = 0; y < x; y++) row[ranks[y]] += weight;
        }
    }

    /// <summary>True while every node has at most one child.</summary>
    public bool SinglePath { get; private set; }

    /// <summary>
    /// Empties the tree for <paramref name="itemCount"/> items (its node arrays stay as large as they grew), counting
    /// item pairs from now on when <paramref name="pairs"/> is set.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Reset(int itemCount, int[] toGlobal, bool pairs)
    {
        ItemCount = itemCount;
        _pairsOn = pairs && itemCount <= PairsUpTo;
        if (_pairsOn)
        {
            var size = Row(itemCount);
            Fit(ref _pairs, size);
            _pairs.AsSpan(0, size).Clear();
        }
        ToGlobal = toGlobal;
        Fit(ref HeadFirst, itemCount);
        Fit(ref HeadCount, itemCount);
        Fit(ref _rootChild, itemCount);
        HeadFirst.AsSpan(0, itemCount).Fill(-1);
        HeadCount.AsSpan(0, itemCount).Clear();
        _rootChild.AsSpan(0, itemCount).Fill(-1);
        Nodes[0] = new Node { Item = -1, Parent = -1, Next = -1 };
        FirstChild[0] = -1;
        _nodes = 1;
        SinglePath = true;
    }

    /// <summary>
    /// Keeps the items of <paramref name="counts"/> that reach <paramref name="minCount"/>, in their order: their local
    /// ranks go to <paramref name="local"/> (-1 for the others); null when none is frequent.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int[]? LocalRanks(ReadOnlySpan<int> counts, int minCount, Span<int> local, int[] toGlobal)
    {
        var frequent = 0;
        for (var i = 0; i < counts.Length; i++) local[i] = counts[i] >= minCount ? frequent++ : -1;
        if (frequent == 0) return null;
        var map = new int[frequent];
        for (var i = 0; i < counts.Length; i++) if (local[i] >= 0) map[local[i]] = toGlobal[i];
        return map;
    }

    internal static void Fit(ref int[] array, int size)
    {
        if (array.Length < size) array = new int[Math.Max(size, array.Length * 2)];
    }

    /// <summary>Adds a path of ranks in ascending order (first in the tree's order first) with a count.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(ReadOnlySpan<int> ranks, int count)
    {
        if (_pairsOn) CountPairs(_pairs, ranks, count);
        var node = 0;
        foreach (var r in ranks)
        {
            int child;
            if (node == 0) child = _rootChild[r];
            else
            {
                child = FirstChild[node];
                while (child != -1 && Nodes[child].Item != r) child = _sibling[child];
            }
            if (child == -1)
            {
                child = NewNode(r, node);
                if (node == 0) _rootChild[r] = child;
            }
            Nodes[child].Count += count;
            HeadCount[r] += count;
            node = child;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int NewNode(int item, int parent)
    {
        if (_nodes == Nodes.Length) Grow();
        var n = _nodes++;
        if (FirstChild[parent] != -1) SinglePath = false;
        Nodes[n] = new Node { Item = item, Parent = parent, Next = HeadFirst[item] };
        FirstChild[n] = -1;
        _sibling[n] = FirstChild[parent];
        FirstChild[parent] = n;
        HeadFirst[item] = n;
        return n;
    }

    private void Grow()
    {
        var size = Nodes.Length * 2;
        Array.Resize(ref Nodes, size);
        Array.Resize(ref FirstChild, size);
        Array.Resize(ref _sibling, size);
    }

    /// <summary>
    /// Builds into <paramref name="into"/> the conditional FP-tree of <paramref name="item"/>: its prefix paths, with
    /// the items infrequent in them dropped. False when no item is left. With pair counts, the frequent items are
    /// known before any walk and the paths are walked once, to build; without, once more, to count. The new tree counts
    /// its own pairs when <paramref name="pairs"/> is set.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Conditional(int item, int minCount, FpTree into, bool pairs)
    {
        // Items on prefix paths all rank before 'item'.
        Fit(ref Counts, item);
        var counts = Counts.AsSpan(0, item);
        var nodes = Nodes;
        if (_pairsOn) _pairs.AsSpan(Row(item), item).CopyTo(counts);
        else
        {
            counts.Clear();
            for (var n = HeadFirst[item]; n != -1; n = nodes[n].Next)
            {
                var c = nodes[n].Count;
                for (var p = nodes[n].Parent; p > 0; p = nodes[p].Parent) counts[nodes[p].Item] += c;
            }
        }

        Fit(ref Local, item);
        var local = Local.AsSpan(0, item);
        if (LocalRanks(counts, minCount, local, ToGlobal) is not { } toGlobal) return false;
        into.Reset(toGlobal.Length, toGlobal, pairs);
        Span<int> path = item <= 512 ? stackalloc int[item] : new int[item];
        for (var n = HeadFirst[item]; n != -1; n = nodes[n].Next)
        {
            // Read bottom-up, ranks fall: filled from the back, they come out ascending.
            var end = path.Length;
            for (var p = nodes[n].Parent; p > 0; p = nodes[p].Parent)
            {
                var l = local[nodes[p].Item];
                if (l >= 0) path[--end] = l;
            }
            if (end < path.Length) into.Add(path[end..], nodes[n].Count);
        }
        return true;
    }
}

/// <summary>
/// The baskets recoded to the ranks of their frequent items (ascending), equal ones merged into one with a weight,
/// in flat arrays; with every item's occurrences (basket, position) and the counts of item pairs, for the first level
/// of the recursion.
/// </summary>
internal sealed class RankedBaskets
{
    private int[] _items = [];
    private int[] _start = [];
    private int[] _weight = [];
    private int[] _occStart = [];
    private int[] _occBasket = [];
    private int[] _occPosition = [];
    private int[]? _pairs; // as FpTree's: how often each pair of items occurs, when there are few enough items

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static RankedBaskets Build(IReadOnlyList<int[]> baskets, int[] rank, int itemCount)
    {
        // Recode: frequent items only, each once, ranks ascending; equal baskets merged into the first with a
        // weight, found through a hash table of the kept ones (open addressing).
        var items = new List<int>(baskets.Count * 8);
        var starts = new List<int>(baskets.Count + 1) { 0 };
        var weights = new List<int>(baskets.Count);
        var seen = new int[rank.Length];
        Array.Fill(seen, -1);
        var table = new int[Math.Max(16, (int)BitOperations.RoundUpToPowerOf2((uint)baskets.Count * 2))];
        Array.Fill(table, -1);
        var mask = table.Length - 1;
        var basket = new List<int>(64);
        for (var b = 0; b < baskets.Count; b++)
        {
            basket.Clear();
            foreach (var i in baskets[b])
                if (rank[i] >= 0 && seen[i] != b) { seen[i] = b; basket.Add(rank[i]); }
            if (basket.Count == 0) continue;
            var ranks = CollectionsMarshal.AsSpan(basket);
            ranks.Sort();
            var hash = 0u;
            foreach (var r in ranks) hash = (hash ^ (uint)r) * 0x9E3779B1u;
            var slot = (int)(hash ^ (hash >> 15)) & mask;
            for (; table[slot] != -1; slot = (slot + 1) & mask)
            {
                var k = table[slot];
                if (ranks.SequenceEqual(CollectionsMarshal.AsSpan(items)[starts[k]..starts[k + 1]])) break;
            }
            if (table[slot] != -1)
            {
                CollectionsMarshal.AsSpan(weights)[table[slot]]++;
                continue;
            }
            table[slot] = weights.Count;
            items.AddRange(ranks);
            starts.Add(items.Count);
            weights.Add(1);
        }
        var result = new RankedBaskets { _items = [.. items], _start = [.. starts], _weight = [.. weights] };
        var kept = weights.Count;
        var used = items.Count;

        // Occurrences by item: counted, then placed.
        var occStart = new int[itemCount + 1];
        for (var k = 0; k < used; k++) occStart[result._items[k] + 1]++;
        for (var i = 0; i < itemCount; i++) occStart[i + 1] += occStart[i];
        var fill = occStart[..itemCount];
        result._occBasket = new int[used];
        result._occPosition = new int[used];
        for (var b = 0; b < kept; b++)
            for (var k = result._start[b]; k < result._start[b + 1]; k++)
            {
                var slot = fill[result._items[k]]++;
                result._occBasket[slot] = b;
                result._occPosition[slot] = k - result._start[b];
            }
        result._occStart = occStart;
        if (itemCount <= FpTree.PairsUpTo)
        {
            var pairs = result._pairs = new int[FpTree.Row(itemCount)];
            for (var b = 0; b < kept; b++)
                FpTree.CountPairs(pairs, result._items.AsSpan(result._start[b], result._start[b + 1] - result._start[b]), result._weight[b]);
        }
        return result;
    }

    /// <summary>
    /// Builds into <paramref name="into"/> the conditional FP-tree of <paramref name="item"/>: the parts of its
    /// baskets before it, with the items infrequent among them dropped. False when no item is left.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Conditional(int item, int minCount, int[] toGlobal, FpTree into, bool pairs)
    {
        FpTree.Fit(ref into.Counts, item);
        var counts = into.Counts.AsSpan(0, item);
        if (_pairs is not null) _pairs.AsSpan(FpTree.Row(item), item).CopyTo(counts);
        else
        {
            counts.Clear();
            for (var o = _occStart[item]; o < _occStart[item + 1]; o++)
            {
                var w = _weight[_occBasket[o]];
                foreach (var i in _items.AsSpan(_start[_occBasket[o]], _occPosition[o])) counts[i] += w;
            }
        }
        FpTree.Fit(ref into.Local, item);
        var local = into.Local.AsSpan(0, item);
        if (FpTree.LocalRanks(counts, minCount, local, toGlobal) is not { } map) return false;

        into.Reset(map.Length, map, pairs);
        Span<int> path = item <= 512 ? stackalloc int[item] : new int[item];
        for (var o = _occStart[item]; o < _occStart[item + 1]; o++)
        {
            var b = _occBasket[o];
            var len = 0;
            foreach (var i in _items.AsSpan(_start[b], _occPosition[o]))
                if (local[i] >= 0) path[len++] = local[i];
            if (len > 0) into.Add(path[..len], _weight[b]);
        }
        return true;
    }
}
