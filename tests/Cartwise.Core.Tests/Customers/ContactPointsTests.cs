using Cartwise.Core.Customers;

namespace Cartwise.Core.Tests.Customers;

public sealed class ContactPointsTests
{
    [Theory]
    [InlineData(" Ann.Smith@Example.COM ", "ann.smith@example.com")]
    [InlineData("a+tag@sub.example.pl", "a+tag@sub.example.pl")]
    [InlineData("no-at-sign", null)]
    [InlineData("two@@example.com", null)]
    [InlineData("a@nodot", null)]
    [InlineData("a b@example.com", null)]
    [InlineData("a@example..com", null)]
    [InlineData("@example.com", null)]
    public void NormalizeEmail(string raw, string? expected) => Assert.Equal(expected, ContactPoints.NormalizeEmail(raw));

    [Theory]
    [InlineData("+48 600 100 200", "PL", "+48600100200")]
    [InlineData("600-100-200", "PL", "+48600100200")]
    [InlineData("0048600100200", null, "+48600100200")]
    [InlineData("07700 900123", "GB", "+447700900123")]
    [InlineData("(11) 98765-4321", "BR", "+5511987654321")]
    [InlineData("0721 234 567", "RO", "+40721234567")]
    [InlineData("912 345 678", "PT", "+351912345678")]
    [InlineData("600100200", null, null)]
    [InlineData("+48 600 CALL ME", "PL", null)]
    [InlineData("+1 23", "US", null)]
    public void NormalizePhone(string raw, string? country, string? expected) => Assert.Equal(expected, ContactPoints.NormalizePhone(raw, country));
}
