using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cartwise.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class MiningRuns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "MiningRuns",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    StoreId = table.Column<long>(type: "INTEGER", nullable: false),
                    Status = table.Column<string>(type: "TEXT", nullable: false),
                    StartedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    FinishedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Since = table.Column<long>(type: "INTEGER", nullable: true),
                    Baskets = table.Column<int>(type: "INTEGER", nullable: false),
                    Items = table.Column<int>(type: "INTEGER", nullable: false),
                    MinSupportCount = table.Column<int>(type: "INTEGER", nullable: false),
                    MinConfidence = table.Column<double>(type: "REAL", nullable: false),
                    ItemsetsBySize = table.Column<string>(type: "TEXT", nullable: true),
                    Rules = table.Column<int>(type: "INTEGER", nullable: false),
                    CategoryRules = table.Column<int>(type: "INTEGER", nullable: false),
                    Pairs = table.Column<int>(type: "INTEGER", nullable: false),
                    Error = table.Column<string>(type: "TEXT", nullable: true),
                    Model = table.Column<byte[]>(type: "BLOB", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MiningRuns", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_MiningRuns_StoreId_Status",
                table: "MiningRuns",
                columns: new[] { "StoreId", "Status" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "MiningRuns");
        }
    }
}
