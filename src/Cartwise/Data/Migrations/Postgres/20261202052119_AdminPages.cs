using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Cartwise.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class AdminPages : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "OutboxBodies",
                columns: table => new
                {
                    OutboxId = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    StoreId = table.Column<long>(type: "bigint", nullable: false),
                    MimeGzip = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OutboxBodies", x => x.OutboxId);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Outbox_StoreId_Status_Id",
                table: "Outbox",
                columns: new[] { "StoreId", "Status", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Events_StoreId_ReceivedAt",
                table: "Events",
                columns: new[] { "StoreId", "ReceivedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "OutboxBodies");

            migrationBuilder.DropIndex(
                name: "IX_Outbox_StoreId_Status_Id",
                table: "Outbox");

            migrationBuilder.DropIndex(
                name: "IX_Events_StoreId_ReceivedAt",
                table: "Events");
        }
    }
}
