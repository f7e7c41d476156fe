using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cartwise.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class FreeCouponCodesIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_CouponCodes_PoolId_OutboxId_Id",
                table: "CouponCodes");

            migrationBuilder.CreateIndex(
                name: "IX_CouponCodes_PoolId_Id",
                table: "CouponCodes",
                columns: new[] { "PoolId", "Id" },
                filter: "\"OutboxId\" IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_CouponCodes_PoolId_Id",
                table: "CouponCodes");

            migrationBuilder.CreateIndex(
                name: "IX_CouponCodes_PoolId_OutboxId_Id",
                table: "CouponCodes",
                columns: new[] { "PoolId", "OutboxId", "Id" });
        }
    }
}
