using Cartwise.Core.Recommendations;

namespace Cartwise.Core.Tests.Recommendations;

public sealed class EaseTests
{
    [Fact]
    public void Weights_EqualTheClosedFormOfAPlainInverse()
    {
        var random = new Random(11);
        for (var round = 0; round < 20; round++)
        {
            var rows = Enumerable.Range(0, random.Next(5, 40))
                .Select(_ => (IReadOnlyCollection<long>)Enumerable.Range(0, random.Next(1, 5)).Select(_ => (long)random.Next(1, 7)).ToHashSet()).ToList();
            var lambda = random.Next(1, 20);

            var weights = Ease.Build(rows, maxItems: 100, lambda, keep: 100);

            // The reference: items seen in two rows or more, G = XᵀX + λI inverted by Gauss-Jordan, B_ij = −P_ij / P_jj.
            var items = rows.SelectMany(r => r).GroupBy(p => p).Where(g => g.Count() >= 2).Select(g => g.Key).Order().ToArray();
            var n = items.Length;
            if (n < 2)
            {
                Assert.Empty(weights);
                continue;
            }
            var g = new double[n, n];
            foreach (var row in rows)
                for (var a = 0; a < n; a++)
                    for (var b = 0; b < n; b++)
                        if (row.Contains(items[a]) && row.Contains(items[b])) g[a, b] += 1;
            for (var i = 0; i < n; i++) g[i, i] += lambda;
            var p = Invert(g);
            for (var i = 0; i < n; i++)
            {
                var expected = Enumerable.Range(0, n).Where(j => j != i && -p[i, j] / p[j, j] > 1e-12)
                    .ToDictionary(j => items[j], j => -p[i, j] / p[j, j]);
                var mine = weights.GetValueOrDefault(items[i]) ?? [];
                Assert.Equal(expected.Keys.Order(), mine.Select(w => w.Product).Order());
                foreach (var w in mine) Assert.Equal(expected[w.Product], w.Weight, 9);
            }
        }
    }

    [Fact]
    public void Complements_PointToEachOther_AndNotToStrangers()
    {
        var rows = new List<IReadOnlyCollection<long>>();
        for (var i = 0; i < 30; i++) rows.Add([1, 2]);
        for (var i = 0; i < 30; i++) rows.Add([3, 4]);
        for (var i = 0; i < 5; i++) rows.Add([1]);

        var weights = Ease.Build(rows, 10, 5, 10);

        Assert.Equal(2, weights[1].Single().Product);
        Assert.Equal(4, weights[3].Single().Product);
        Assert.True(weights[2][0].Weight > weights[1][0].Weight, "everyone with 2 had 1; not everyone with 1 had 2");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(100)]
    [InlineData(257)]
    public void SymmetricInverse_TimesTheMatrix_IsTheIdentity(int n)
    {
        // A Gram matrix of random sparse rows plus a ridge, as EASE inverts: several blocks of pivots and a ragged last one.
        var random = new Random(n);
        var a = new double[n * n];
        for (var row = 0; row < 3 * n; row++)
        {
            var items = Enumerable.Range(0, random.Next(1, 12)).Select(_ => random.Next(n)).Distinct().ToArray();
            foreach (var x in items)
                foreach (var y in items) a[x * n + y] += 1;
        }
        for (var i = 0; i < n; i++) a[i * n + i] += 3;
        var inverse = (double[])a.Clone();

        SymmetricInverse.InvertInPlace(inverse, n);

        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++)
            {
                double sum = 0;
                for (var k = 0; k < n; k++) sum += a[i * n + k] * inverse[k * n + j];
                Assert.Equal(i == j ? 1 : 0, sum, 9);
                Assert.Equal(inverse[i * n + j], inverse[j * n + i], 12);
            }
    }

    private static double[,] Invert(double[,] m)
    {
        var n = m.GetLength(0);
        var a = (double[,])m.Clone();
        var inv = new double[n, n];
        for (var i = 0; i < n; i++) inv[i, i] = 1;
        for (var c = 0; c < n; c++)
        {
            var pivot = a[c, c];
            for (var j = 0; j < n; j++) { a[c, j] /= pivot; inv[c, j] /= pivot; }
            for (var r = 0; r < n; r++)
            {
                if (r == c) continue;
                var f = a[r, c];
                for (var j = 0; j < n; j++) { a[r, j] -= f * a[c, j]; inv[r, j] -= f * inv[c, j]; }
            }
        }
        return inv;
    }
}
