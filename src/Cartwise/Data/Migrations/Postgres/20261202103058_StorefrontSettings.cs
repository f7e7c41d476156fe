using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cartwise.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class StorefrontSettings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Events_StoreId_Name",
                table: "Events");

            migrationBuilder.AddColumn<string>(
                name: "AllowedOrigins",
                table: "Stores",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "ClientRequestsPerMinute",
                table: "Stores",
                type: "integer",
                nullable: false,
                defaultValue: 600);

            migrationBuilder.AddColumn<decimal>(
                name: "FreeShippingThreshold",
                table: "Stores",
                type: "numeric",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "KeyRequestsPerMinute",
                table: "Stores",
                type: "integer",
                nullable: false,
                defaultValue: 60000);

            migrationBuilder.CreateIndex(
                name: "IX_Events_StoreId_Name_OccurredAt",
                table: "Events",
                columns: new[] { "StoreId", "Name", "OccurredAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Events_StoreId_Name_OccurredAt",
                table: "Events");

            migrationBuilder.DropColumn(
                name: "AllowedOrigins",
                table: "Stores");

            migrationBuilder.DropColumn(
                name: "ClientRequestsPerMinute",
                table: "Stores");

            migrationBuilder.DropColumn(
                name: "FreeShippingThreshold",
                table: "Stores");

            migrationBuilder.DropColumn(
                name: "KeyRequestsPerMinute",
                table: "Stores");

            migrationBuilder.CreateIndex(
                name: "IX_Events_StoreId_Name",
                table: "Events",
                columns: new[] { "StoreId", "Name" });
        }
    }
}
