using System.CommandLine;
using System.Diagnostics;
using Cartwise.Core.Evaluation;
using Cartwise.Core.Recommendations;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Cli;

/// <summary><c>cartwise evaluate</c>: which strategy predicts this store's customers best (leave-last-out).</summary>
public static class EvaluateCommand
{
    public static Command Build()
    {
        var store = CliStores.StoreOption();
        var k = new Option<int>("--k") { Description = "How many recommendations are judged", DefaultValueFactory = _ => 10 };
        var command = new Command("evaluate", "Hold out each repeat customer's last order and measure every strategy against popularity") { store, k };
        command.SetAction(async (result, ct) =>
        {
            await using var db = await CartwiseCli.OpenAsync(result, ct);
            if (await CliStores.FindAsync(db, result.GetValue(store)!, ct) is not { } s) return 2;
            var sw = Stopwatch.StartNew();
            var lines = await (from o in db.Orders.AsNoTracking()
                               join l in db.OrderLines.AsNoTracking() on o.Id equals l.OrderId
                               where l.RefundedQuantity < l.Quantity
                               select new { o.Id, o.CustomerId, o.PlacedAt, l.ProductId }).ToListAsync(ct);
            var orders = lines.GroupBy(l => l.Id).Select(g => (Customer: g.First().CustomerId, Basket: new OrderBasket(g.First().PlacedAt, g.Select(l => l.ProductId).Distinct().ToArray())))
                .ToList();
            var customers = orders.Where(o => o.Customer is not null).GroupBy(o => o.Customer!.Value)
                .Select(g => new CustomerHistory(g.Key, g.Select(o => o.Basket).OrderBy(b => b.PlacedAt).ToList())).ToList();
            var guests = orders.Where(o => o.Customer is null).Select(o => o.Basket).ToList();
            var (products, parents, _) = await Recommendations.ModelService.CatalogueAsync(db, ct);
            var kk = result.GetValue(k);
            var scores = OfflineEvaluation.Run(customers, guests, products, parents, TimeProvider.System.GetUtcNow(), kk, new ModelOptions());
            var baseline = scores[0];
            Console.WriteLine($"{orders.Count:N0} orders, {customers.Count(c => c.Orders.Count >= 2):N0} repeat customers held out; k = {kk}; {sw.Elapsed.TotalSeconds:F1} s");
            Console.WriteLine($"| strategy | customers | hit-rate@{kk} | precision@{kk} | recall@{kk} | coverage | hit-rate vs popularity |");
            Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
            foreach (var r in scores)
                Console.WriteLine($"| {r.Strategy} | {r.Customers:N0} | {r.HitRate:P1} | {r.Precision:P2} | {r.Recall:P2} | {r.Coverage:P1} | " +
                    (baseline.HitRate > 0 ? $"×{r.HitRate / baseline.HitRate:F2}" : "–") + " |");
            return 0;
        });
        return command;
    }
}
