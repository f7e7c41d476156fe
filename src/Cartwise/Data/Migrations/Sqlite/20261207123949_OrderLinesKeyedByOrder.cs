using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cartwise.Data.Migrations.Sqlite
{
    /// <summary>
    /// Order lines keyed by (order, number) instead of a surrogate id. (PostgreSQL's migration of the same name also
    /// drops the lines' foreign keys, and says why.)
    /// </summary>
    public partial class OrderLinesKeyedByOrder : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The table rebuilt by hand, in the migration's transaction. EF's own rebuild turns foreign keys off around
            // it, which SQLite cannot do inside a transaction (EF warns of a half-applied migration on every new
            // database); nothing refers to order lines, so the drop needs no such step.
            migrationBuilder.Sql(
                """
                CREATE TABLE "ef_temp_OrderLines" (
                    "OrderId" INTEGER NOT NULL,
                    "LineNo" INTEGER NOT NULL,
                    "Price" TEXT NOT NULL,
                    "ProductId" INTEGER NOT NULL,
                    "Quantity" INTEGER NOT NULL,
                    "RefundedQuantity" INTEGER NOT NULL,
                    "StoreId" INTEGER NOT NULL,
                    CONSTRAINT "PK_OrderLines" PRIMARY KEY ("OrderId", "LineNo"),
                    CONSTRAINT "FK_OrderLines_Orders_OrderId" FOREIGN KEY ("OrderId") REFERENCES "Orders" ("Id") ON DELETE CASCADE,
                    CONSTRAINT "FK_OrderLines_Products_ProductId" FOREIGN KEY ("ProductId") REFERENCES "Products" ("Id") ON DELETE CASCADE
                );
                """);
            migrationBuilder.Sql(
                """
                INSERT INTO "ef_temp_OrderLines" ("OrderId", "LineNo", "Price", "ProductId", "Quantity", "RefundedQuantity", "StoreId")
                SELECT "OrderId", "LineNo", "Price", "ProductId", "Quantity", "RefundedQuantity", "StoreId" FROM "OrderLines";
                """);
            migrationBuilder.Sql("""DROP TABLE "OrderLines";""");
            migrationBuilder.Sql("""ALTER TABLE "ef_temp_OrderLines" RENAME TO "OrderLines";""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "PK_OrderLines",
                table: "OrderLines");

            migrationBuilder.AddColumn<long>(
                name: "Id",
                table: "OrderLines",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L)
                .Annotation("Sqlite:Autoincrement", true);

            migrationBuilder.AddPrimaryKey(
                name: "PK_OrderLines",
                table: "OrderLines",
                column: "Id");

            migrationBuilder.CreateIndex(
                name: "IX_OrderLines_OrderId_LineNo",
                table: "OrderLines",
                columns: new[] { "OrderId", "LineNo" },
                unique: true);
        }
    }
}
