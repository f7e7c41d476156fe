using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cartwise.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class LeanerDecisionIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ScenarioDecisions_OutboxId",
                table: "ScenarioDecisions");

            migrationBuilder.DropIndex(
                name: "IX_ScenarioDecisions_ScenarioId_At",
                table: "ScenarioDecisions");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_ScenarioDecisions_OutboxId",
                table: "ScenarioDecisions",
                column: "OutboxId");

            migrationBuilder.CreateIndex(
                name: "IX_ScenarioDecisions_ScenarioId_At",
                table: "ScenarioDecisions",
                columns: new[] { "ScenarioId", "At" });
        }
    }
}
