using System.Text;
using Cartwise.Core.Mining;

namespace Cartwise.Core.Tests.Mining;

public sealed class BasketFileTests
{
    private static List<string[]> Read(string text, string? separator, int chunk = int.MaxValue)
    {
        var names = new ItemIds();
        var baskets = BasketFile.Read(new Trickle(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(text)).ToArray(), chunk), separator, names);
        return baskets.Select(b => b.Select(names.Name).ToArray()).ToList();
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(1)]
    [InlineData(7)]
    public void Read_WhiteSpaceSeparated_TakesEveryLineEndAndSkipsEmptyLines(int chunk)
    {
        var baskets = Read("1 2  3\r\n\n\t7\t007 12\r\n   \n1 zebra żółw 2", null, chunk);

        Assert.Equal([["1", "2", "3"], ["7", "007", "12"], ["1", "zebra", "żółw", "2"]], baskets);
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(3)]
    public void Read_WithASeparator_TrimsItemsAndKeepsTheirInnerSpaces(int chunk)
    {
        var baskets = Read("whole milk, bread ,butter\r\n,,\nbread;x,  whole milk\n", ",", chunk);

        Assert.Equal([["whole milk", "bread", "butter"], ["bread;x", "whole milk"]], baskets);
    }

    [Fact]
    public void Read_NumbersAndNames_GetOneIdEach()
    {
        // "7" is found by its value, "007" and "7.0" by their text: three different items; "7" twice is one id.
        var names = new ItemIds();
        var known = names.Id("7");

        var baskets = BasketFile.Read(new MemoryStream("7 007 7.0 7\n12 7\n"u8.ToArray()), null, names);

        Assert.Equal([known, names.Id("007"), names.Id("7.0"), known], baskets[0]);
        Assert.Equal([names.Id("12"), known], baskets[1]);
        Assert.Equal(4, names.Count);
    }

    [Fact]
    public void Read_ALineLongerThanTheBuffer_IsOneBasket()
    {
        var items = Enumerable.Range(0, 40_000).Select(i => "item" + i).ToArray();

        var baskets = Read("a b\n" + string.Join(' ', items) + "\nc", null);

        Assert.Equal(3, baskets.Count);
        Assert.Equal(items, baskets[1]);
        Assert.Equal(["c"], baskets[2]);
    }

    /// <summary>A stream that hands out at most a few bytes a read, as a pipe or a decompressor may.</summary>
    private sealed class Trickle(byte[] data, int chunk) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));
    }
}
