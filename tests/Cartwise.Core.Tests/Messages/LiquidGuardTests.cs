using Cartwise.Core.Messages;

namespace Cartwise.Core.Tests.Messages;

/// <summary>
/// Templates that would recurse without bound in the parser or the renderer. Each of them used to overflow the stack,
/// which ends the process for every store; now each is refused with a message and nothing runs deep.
/// </summary>
public sealed class LiquidGuardTests
{
    public static TheoryData<string, string> Hostile => new()
    {
        { "{{ " + new string('(', 3000) + " }}", "parentheses" },
        { "{{ " + new string('[', 3000) + " }}", "parentheses" },
        { string.Concat(Enumerable.Repeat("{% if a %}", 3000)) + "x" + string.Concat(Enumerable.Repeat("{% endif %}", 3000)), "too long" },
        { string.Concat(Enumerable.Repeat("{% if a %}", 300)) + "x" + string.Concat(Enumerable.Repeat("{% endif %}", 300)), "nested" },
        { string.Concat(Enumerable.Repeat("{% for i in (1..2) %}", 200)), "nested" },
        { "{% if a " + string.Concat(Enumerable.Repeat("and a ", 100_000)) + "%}x{% endif %}", "too long" },
        { "{% if a " + string.Concat(Enumerable.Repeat("and a ", 2_000)) + "%}x{% endif %}", "operators" },
        { "{{ a " + string.Concat(Enumerable.Repeat("| upcase ", 2_000)) + "}}", "operators" },
        { "{% if a " + string.Concat(Enumerable.Repeat("== a ", 2_000)) + "%}x{% endif %}", "operators" },
    };

    [Theory, MemberData(nameof(Hostile))]
    public void Check_UnboundedNesting_IsRefusedWithTheReason(string source, string reason)
    {
        var error = new MessageRenderer().Check(source);

        Assert.NotNull(error);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Theory, MemberData(nameof(Hostile))]
    public void Render_UnboundedNesting_FailsAsARenderError_NotAStackOverflow(string source, string reason)
    {
        // A template stored before the guard existed reaches the renderer directly.
        var variant = new MessageVariant("en", "Hi", null, [new Block("text", Text: source)]);

        var e = Assert.Throws<MessageRenderException>(() => new MessageRenderer().Render(variant, MessageRendererTests.Context()));

        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Hello {{ customer.first_name | default: 'friend' | capitalize }}!")]
    [InlineData("{% if order.value > 100 and customer.language == 'pl' or store.name contains 'Shop' %}big{% else %}small{% endif %}")]
    [InlineData("{% for p in purchased %}{% if p.price %}{{ p.name }} ({{ p.price }}){% endif %}{% endfor %}")]
    [InlineData("{{ 'a|b(c)' }} {{ \"and or and or and\" }} — text with ( and [ outside tags ((((((((((")]
    public void Check_OrdinaryTemplates_AreAccepted(string source)
    {
        Assert.Null(new MessageRenderer().Check(source));
    }

    [Fact]
    public void Check_PositionOfTheRefusal_IsNamed()
    {
        var error = LiquidGuard.Check("Line one\n  {{ " + new string('(', 20) + "a" + new string(')', 20) + " }}");

        Assert.Equal("parentheses nested more than 8 deep at line 2, column 3", error);
    }
}
