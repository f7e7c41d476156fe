using Cartwise.Core.Orders;

namespace Cartwise.Core.Tests.Orders;

public sealed class RefundAllocationTests
{
    [Fact]
    public void Units_are_taken_line_by_line_up_to_what_each_has_unrefunded()
    {
        var (taken, left) = RefundAllocation.Allocate(5, [2, 0, 4, 3]);
        Assert.Equal([2, 0, 3, 0], taken);
        Assert.Equal(0, left);
    }

    [Fact]
    public void Units_no_line_can_take_are_left_over()
    {
        var (taken, left) = RefundAllocation.Allocate(7, [2, 1]);
        Assert.Equal([2, 1], taken);
        Assert.Equal(4, left);
        Assert.Equal(3, RefundAllocation.Allocate(3, []).Left);
    }

    [Fact]
    public void A_cancellation_refunds_the_latest_earlier_purchase_first_and_never_a_later_one()
    {
        var day = new DateTimeOffset(2011, 5, 1, 0, 0, 0, TimeSpan.Zero);
        (string Invoice, DateTimeOffset At)[] purchases = [("A", day), ("B", day.AddDays(3)), ("C", day.AddDays(9))];
        var order = RefundAllocation.LatestFirst(purchases, p => p.At, day.AddDays(5));
        Assert.Equal(["B", "A"], order.Select(p => p.Invoice));
    }
}
