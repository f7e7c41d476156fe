using Cartwise.Core.Coupons;
using Cartwise.Core.Messages;

namespace Cartwise.Core.Tests.Messages;

public sealed class MessageRendererTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    internal static RenderContext Context(CouponModel? coupon = null, string? firstName = "Ola", string? language = "pl") => new(
        new RenderCustomer(firstName, "Nowak", "ola@example.com", language),
        new RenderStore("Sklep", "ul. Prosta 1, Kraków", "PLN", "Europe/Warsaw", null),
        new RenderOrder("A-1", 250m, "PLN", Now),
        null,
        [new ItemModel(1, "Ekspres do kawy", "https://shop.example/p/1", "https://shop.example/i/1.jpg", 200m, "PLN", 1)],
        [],
        coupon,
        b => [new ItemModel(2, "Kawa <Arabica>", "https://shop.example/p/2", null, 30m, "PLN")],
        new MessageLinks("https://cw.example/u/1.sig", "https://cw.example/t/o/1.sig", u => "https://cw.example/t/c/1.sig?u=" + Uri.EscapeDataString(u)),
        Now);

    private static MessageVariant Variant(params Block[] blocks) => new("pl", "Dziękujemy, {{ customer.first_name }}!", "Zamówienie {{ order.id }}", blocks);

    [Fact]
    public void Render_Html_IsEmailSafe_TableLayout_InlineCss_NoScript_600Wide_AltOnImages()
    {
        var r = new MessageRenderer().Render(Variant(new Block("heading", Text: "Cześć {{ customer.first_name }}"), new Block("image", ImageUrl: "https://x/i.png", Alt: "Baner"),
            new Block("purchased"), new Block("recommended"), new Block("footer")), Context());
        Assert.Contains("max-width:600px", r.Html);
        Assert.Contains("role=\"presentation\"", r.Html);
        Assert.DoesNotContain("<script", r.Html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<style", r.Html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("class=", r.Html);
        Assert.Contains("alt=\"Baner\"", r.Html);
        Assert.Contains("alt=\"Ekspres do kawy\"", r.Html);
        Assert.Equal("Dziękujemy, Ola!", r.Subject);
        Assert.Equal("Zamówienie A-1", r.Preheader);
    }

    [Fact]
    public void Render_Links_AreTracked_UnsubscribeIsDirect_PixelAtTheEnd()
    {
        var r = new MessageRenderer().Render(Variant(new Block("button", Text: "Kup", Url: "https://shop.example/?a=1&b=2"), new Block("footer", Text: "Wypisz")), Context());
        Assert.Contains("href=\"https://cw.example/t/c/1.sig?u=https%3A%2F%2Fshop.example%2F%3Fa%3D1%26b%3D2\"", r.Html);
        Assert.Contains("href=\"https://cw.example/u/1.sig\"", r.Html);
        Assert.EndsWith("<img src=\"https://cw.example/t/o/1.sig\" width=\"1\" height=\"1\" alt=\"\" style=\"display:block;border:0;width:1px;height:1px;\"></body></html>", r.Html);
        // The text part shows where links really go.
        Assert.Contains("Kup: https://shop.example/?a=1&b=2", r.Text);
        Assert.Contains("Wypisz: https://cw.example/u/1.sig", r.Text);
    }

    [Fact]
    public void Render_EscapesDataInHtml_NotInText()
    {
        var r = new MessageRenderer().Render(Variant(new Block("recommended"), new Block("text", Text: "{{ customer.first_name }}")), Context(firstName: "<b>Ola</b>"));
        Assert.Contains("Kawa &lt;Arabica&gt;", r.Html);
        Assert.Contains("&lt;b&gt;Ola&lt;/b&gt;", r.Html);
        Assert.DoesNotContain("<b>Ola</b>", r.Html);
        Assert.Contains("- Kawa <Arabica>", r.Text);
    }

    [Fact]
    public void Render_Coupon_ShowsCodeAndExpiryInTheStoreTimeZoneAndLanguage()
    {
        // 23:30 UTC on 15 March is already 16 March in Warsaw.
        var coupon = new CouponModel("THANKS-AB12", new DateTimeOffset(2026, 3, 15, 23, 30, 0, TimeSpan.Zero));
        var r = new MessageRenderer().Render(Variant(new Block("coupon", Title: "Rabat", Text: "Ważny do {{ coupon.expires_on }}, zostało {{ coupon.days_left }} dni")), Context(coupon));
        Assert.Contains("THANKS-AB12", r.Html);
        Assert.Contains("Ważny do poniedziałek, 16 marca 2026, zostało 14 dni", r.Text);
    }

    [Fact]
    public void Render_CouponBlockWithoutCoupon_FailsClearly()
    {
        var e = Assert.Throws<MessageRenderException>(() => new MessageRenderer().Render(Variant(new Block("coupon")), Context(coupon: null)));
        Assert.Contains("COUPON", e.Message);
    }

    [Fact]
    public void Validate_LiquidError_NamesFieldLineAndColumn()
    {
        var variants = new[] { new MessageVariant("en", "Hi", null, [new Block("text", Text: "Hello\n{% if customer.first_name %}x")]) };
        var errors = MessageValidator.Validate("en", variants, new MessageRenderer());
        var e = Assert.Single(errors);
        Assert.Equal("variants[0].blocks[0].text", e.Path);
        Assert.Matches(@"line 2, column \d+", e.Error);
    }

    [Fact]
    public void Validate_MissingDefaultVariant_UnknownBlock_ImageWithoutAlt()
    {
        var variants = new[] { new MessageVariant("pl", "Hej", null, [new Block("banner"), new Block("image", ImageUrl: "https://x/i.png")]) };
        var errors = MessageValidator.Validate("en", variants, new MessageRenderer()).Select(e => e.Path).ToList();
        Assert.Contains("defaultLanguage", errors);
        Assert.Contains("variants[0].blocks[0].type", errors);
        Assert.Contains("variants[0].blocks[1].alt", errors);
    }

    [Theory]
    [InlineData("pl", "pl")]
    [InlineData("PL", "pl")]
    [InlineData("pt-BR", "pt")]
    [InlineData("de", "en")]
    [InlineData(null, "en")]
    public void Pick_CustomerLanguage_FallsBackToBaseLanguage_ThenToDefault(string? language, string expected)
    {
        MessageVariant[] variants = [new("en", "Hi", null, []), new("pl", "Cześć", null, []), new("pt", "Olá", null, [])];
        Assert.Equal(expected, MessageValidator.Pick(variants, language, "en").Language);
    }

    [Fact]
    public void Generate_CodesAreUniqueFollowThePatternAndAvoidTakenOnes()
    {
        var taken = new HashSet<string> { "X-AAAA" };
        var codes = CouponGenerator.Generate(new CouponPattern("X-######"), 5000, taken);
        Assert.Equal(5000, codes.Distinct().Count());
        Assert.All(codes, c => Assert.Matches("^X-[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{6}$", c));
        Assert.NotNull(new CouponPattern("AB##").Problem(10));
        Assert.NotNull(new CouponPattern(Length: 4).Problem(1000));
    }

    [Fact]
    public void Attribution_LastTouchInsideItsWindow_OneMessagePerOrder()
    {
        var t0 = Now;
        var touches = new[]
        {
            new Touch(1, 100, IsClick: true, t0),                 // click on message 100
            new Touch(1, 200, IsClick: false, t0.AddDays(2)),      // open of message 200, later
            new Touch(2, 300, IsClick: true, t0),
            new Touch(3, 400, IsClick: false, t0),
        };
        var purchases = new[]
        {
            new Purchase(10, 1, t0.AddDays(2).AddHours(3)),   // inside the open's 1 day: the last touch (200) wins
            new Purchase(11, 1, t0.AddDays(4)),                // the open's window is over; the click's (5 days) is not
            new Purchase(12, 2, t0.AddDays(6)),                // after the click window
            new Purchase(13, 3, t0.AddHours(12)),              // open, 1 day
            new Purchase(14, 1, t0.AddDays(-1)),               // before any touch
        };
        var credit = MessageAttribution.Credit(touches, purchases, AttributionWindows.Default);
        Assert.Equal(new Dictionary<long, long> { [10] = 200, [11] = 100, [13] = 400 }, credit);
        var clicksOnly = MessageAttribution.Credit(touches, purchases, AttributionWindows.Default with { Open = null });
        Assert.Equal(new Dictionary<long, long> { [10] = 100, [11] = 100 }, clicksOnly);
    }
}
