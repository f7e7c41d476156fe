using System.Xml;
using Cartwise.Core.Catalog;

namespace Cartwise.Core.Tests.Catalog;

public sealed class FeedItemReaderTests
{
    private static (FeedItem? Item, IReadOnlyList<FeedProblem> Problems) Read(params (string, string)[] fields) =>
        FeedItemReader.Read(fields.ToDictionary(f => f.Item1, f => f.Item2), 7, "EUR");

    [Theory]
    [InlineData("12.50 GBP", 12.50, "GBP")]
    [InlineData("GBP 12.50", 12.50, "GBP")]
    [InlineData("1,299.00 PLN", 1299.00, "PLN")]
    [InlineData("9.99", 9.99, "EUR")]
    public void Price_IsReadWithItsCurrency(string text, decimal amount, string currency)
    {
        var item = Read(("id", "A"), ("price", text)).Item!;
        Assert.Equal(amount, item.Price);
        Assert.Equal(currency, item.Currency);
    }

    [Theory]
    [InlineData("in stock", Availability.InStock)]
    [InlineData("in_stock", Availability.InStock)]
    [InlineData("out of stock", Availability.OutOfStock)]
    [InlineData("preorder", Availability.Preorder)]
    [InlineData("backorder", Availability.Backorder)]
    public void Availability_AcceptsMerchantCenterSpellings(string text, Availability expected) =>
        Assert.Equal(expected, Read(("id", "A"), ("availability", text)).Item!.Availability);

    [Theory]
    [InlineData("id", "", "id")]
    [InlineData("price", "ten", "price")]
    [InlineData("price", "10 XYZ", "price")]
    [InlineData("price", "-1 EUR", "price")]
    [InlineData("availability", "maybe", "availability")]
    [InlineData("sale_price", "cheap", "sale_price")]
    public void BadField_RejectsTheItemNamingFieldAndLine(string field, string value, string expectedField)
    {
        var fields = new Dictionary<string, string> { ["id"] = "A", [field] = value };
        var (item, problems) = FeedItemReader.Read(fields, 42, "EUR");
        Assert.Null(item);
        var p = Assert.Single(problems);
        Assert.Equal((expectedField, 42L), (p.Field, p.Line));
    }

    [Fact]
    public void CategoryPath_PrefersProductTypeOverGoogleCategory()
    {
        Assert.Equal(["Home", "Chairs"], Read(("id", "A"), ("product_type", "Home > Chairs"), ("google_product_category", "Furniture > Chairs")).Item!.CategoryPath);
        Assert.Equal(["Furniture", "Chairs"], Read(("id", "A"), ("google_product_category", "Furniture > Chairs")).Item!.CategoryPath);
        Assert.Empty(Read(("id", "A"), ("google_product_category", "443")).Item!.CategoryPath);
    }

    [Fact]
    public void MerchantXml_ReadsRssAndAtomWithGoogleFieldsWinning()
    {
        const string xml = """
            <rss xmlns:g="http://base.google.com/ns/1.0"><channel>
            <item><g:id>1</g:id><title>Plain title</title><g:title>G title</g:title><link>https://x/1</link><g:price>1 EUR</g:price></item>
            <item><g:id>2</g:id><title>Only plain</title></item>
            </channel></rss>
            """;
        var items = MerchantXmlFeed.Read(XmlReader.Create(new StringReader(xml), MerchantXmlFeed.Settings)).ToList();
        Assert.Equal("G title", items[0].Fields["title"]);
        Assert.Equal("https://x/1", items[0].Fields["link"]);
        Assert.Equal("Only plain", items[1].Fields["title"]);
        Assert.Equal(3, items[1].Line);

        const string atom = """
            <feed xmlns="http://www.w3.org/2005/Atom" xmlns:g="http://base.google.com/ns/1.0">
            <entry><g:id>9</g:id><title>Lamp</title><link href="https://x/9"/><summary>Bright</summary></entry></feed>
            """;
        var entry = Assert.Single(MerchantXmlFeed.Read(XmlReader.Create(new StringReader(atom), MerchantXmlFeed.Settings)));
        Assert.Equal(("9", "Lamp", "https://x/9", "Bright"), (entry.Fields["id"], entry.Fields["title"], entry.Fields["link"], entry.Fields["description"]));
    }

    [Fact]
    public void MerchantXml_Malformed_ThrowsWithLineAndColumn()
    {
        const string xml = "<rss xmlns:g=\"http://base.google.com/ns/1.0\"><channel>\n<item><g:id>1</g:id>\n<g:price>1 GBP</item>";
        var e = Assert.Throws<XmlException>(() => MerchantXmlFeed.Read(XmlReader.Create(new StringReader(xml), MerchantXmlFeed.Settings)).ToList());
        Assert.Equal(3, e.LineNumber);
    }
}
