using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cartwise.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Scenarios : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ScenarioCursors",
                columns: table => new
                {
                    StoreId = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    LastEventId = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ScenarioCursors", x => x.StoreId);
                });

            migrationBuilder.CreateTable(
                name: "ScenarioDecisions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    StoreId = table.Column<long>(type: "INTEGER", nullable: false),
                    ScenarioId = table.Column<long>(type: "INTEGER", nullable: false),
                    Rule = table.Column<string>(type: "TEXT", nullable: false),
                    CustomerId = table.Column<long>(type: "INTEGER", nullable: false),
                    TriggerKey = table.Column<string>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", nullable: false),
                    Reason = table.Column<string>(type: "TEXT", nullable: true),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    DueAt = table.Column<long>(type: "INTEGER", nullable: true),
                    DecidedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    MessageId = table.Column<long>(type: "INTEGER", nullable: false),
                    OutboxId = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ScenarioDecisions", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Scenarios",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    StoreId = table.Column<long>(type: "INTEGER", nullable: false),
                    Name = table.Column<string>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", nullable: false),
                    State = table.Column<string>(type: "TEXT", nullable: false),
                    Definition = table.Column<string>(type: "TEXT", nullable: false),
                    Languages = table.Column<string>(type: "TEXT", nullable: true),
                    SenderId = table.Column<long>(type: "INTEGER", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ActivatedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Scenarios", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ScenarioDecisions_CustomerId_DecidedAt",
                table: "ScenarioDecisions",
                columns: new[] { "CustomerId", "DecidedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_ScenarioDecisions_OutboxId",
                table: "ScenarioDecisions",
                column: "OutboxId");

            migrationBuilder.CreateIndex(
                name: "IX_ScenarioDecisions_ScenarioId_At",
                table: "ScenarioDecisions",
                columns: new[] { "ScenarioId", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_ScenarioDecisions_ScenarioId_Rule_CustomerId_TriggerKey",
                table: "ScenarioDecisions",
                columns: new[] { "ScenarioId", "Rule", "CustomerId", "TriggerKey" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Scenarios_StoreId_State",
                table: "Scenarios",
                columns: new[] { "StoreId", "State" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ScenarioCursors");

            migrationBuilder.DropTable(
                name: "ScenarioDecisions");

            migrationBuilder.DropTable(
                name: "Scenarios");
        }
    }
}
