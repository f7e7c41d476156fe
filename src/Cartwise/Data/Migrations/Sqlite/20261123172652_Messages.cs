using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cartwise.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Messages : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "ClickWindowDays",
                table: "Stores",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "LinkSecret",
                table: "Stores",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "OpenWindowDays",
                table: "Stores",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PostalAddress",
                table: "Stores",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "SendRate",
                table: "Stores",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "SmtpUrl",
                table: "Stores",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "CouponCodes",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    StoreId = table.Column<long>(type: "INTEGER", nullable: false),
                    PoolId = table.Column<long>(type: "INTEGER", nullable: false),
                    Code = table.Column<string>(type: "TEXT", nullable: false),
                    OutboxId = table.Column<long>(type: "INTEGER", nullable: true),
                    CustomerId = table.Column<long>(type: "INTEGER", nullable: true),
                    AssignedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CouponCodes", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "CouponPools",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    StoreId = table.Column<long>(type: "INTEGER", nullable: false),
                    Name = table.Column<string>(type: "TEXT", nullable: false),
                    LowWarning = table.Column<int>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CouponPools", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "MessageActivities",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    StoreId = table.Column<long>(type: "INTEGER", nullable: false),
                    OutboxId = table.Column<long>(type: "INTEGER", nullable: false),
                    CustomerId = table.Column<long>(type: "INTEGER", nullable: true),
                    Kind = table.Column<string>(type: "TEXT", nullable: false),
                    Url = table.Column<string>(type: "TEXT", nullable: true),
                    At = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MessageActivities", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Messages",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    StoreId = table.Column<long>(type: "INTEGER", nullable: false),
                    Name = table.Column<string>(type: "TEXT", nullable: false),
                    DefaultLanguage = table.Column<string>(type: "TEXT", nullable: false),
                    SenderId = table.Column<long>(type: "INTEGER", nullable: true),
                    Variants = table.Column<string>(type: "TEXT", nullable: false),
                    CouponMode = table.Column<string>(type: "TEXT", nullable: false),
                    StaticCode = table.Column<string>(type: "TEXT", nullable: true),
                    CouponPoolId = table.Column<long>(type: "INTEGER", nullable: true),
                    CouponExpiresAt = table.Column<long>(type: "INTEGER", nullable: true),
                    CouponValidDays = table.Column<int>(type: "INTEGER", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Messages", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Outbox",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    StoreId = table.Column<long>(type: "INTEGER", nullable: false),
                    Key = table.Column<string>(type: "TEXT", nullable: false),
                    MessageId = table.Column<long>(type: "INTEGER", nullable: false),
                    CustomerId = table.Column<long>(type: "INTEGER", nullable: true),
                    Email = table.Column<string>(type: "TEXT", nullable: false),
                    Language = table.Column<string>(type: "TEXT", nullable: true),
                    ScenarioId = table.Column<long>(type: "INTEGER", nullable: true),
                    Rule = table.Column<string>(type: "TEXT", nullable: true),
                    TriggerId = table.Column<string>(type: "TEXT", nullable: true),
                    OrderId = table.Column<long>(type: "INTEGER", nullable: true),
                    ProductIds = table.Column<string>(type: "TEXT", nullable: true),
                    IsTest = table.Column<bool>(type: "INTEGER", nullable: false),
                    Status = table.Column<string>(type: "TEXT", nullable: false),
                    DueAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    ClaimedUntil = table.Column<long>(type: "INTEGER", nullable: true),
                    Uncertain = table.Column<bool>(type: "INTEGER", nullable: false),
                    LastError = table.Column<string>(type: "TEXT", nullable: true),
                    ProviderResponse = table.Column<string>(type: "TEXT", nullable: true),
                    Subject = table.Column<string>(type: "TEXT", nullable: true),
                    CouponCode = table.Column<string>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    SentAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Outbox", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Senders",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    StoreId = table.Column<long>(type: "INTEGER", nullable: false),
                    Name = table.Column<string>(type: "TEXT", nullable: false),
                    FromAddress = table.Column<string>(type: "TEXT", nullable: false),
                    ReplyTo = table.Column<string>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Senders", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Suppressions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    StoreId = table.Column<long>(type: "INTEGER", nullable: false),
                    Email = table.Column<string>(type: "TEXT", nullable: false),
                    Reason = table.Column<string>(type: "TEXT", nullable: false),
                    OutboxId = table.Column<long>(type: "INTEGER", nullable: true),
                    At = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Suppressions", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_CouponCodes_OutboxId",
                table: "CouponCodes",
                column: "OutboxId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_CouponCodes_PoolId_Code",
                table: "CouponCodes",
                columns: new[] { "PoolId", "Code" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_CouponCodes_PoolId_OutboxId_Id",
                table: "CouponCodes",
                columns: new[] { "PoolId", "OutboxId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_CouponCodes_StoreId_Code",
                table: "CouponCodes",
                columns: new[] { "StoreId", "Code" });

            migrationBuilder.CreateIndex(
                name: "IX_CouponPools_StoreId",
                table: "CouponPools",
                column: "StoreId");

            migrationBuilder.CreateIndex(
                name: "IX_MessageActivities_OutboxId",
                table: "MessageActivities",
                column: "OutboxId");

            migrationBuilder.CreateIndex(
                name: "IX_MessageActivities_StoreId_At",
                table: "MessageActivities",
                columns: new[] { "StoreId", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_Messages_StoreId",
                table: "Messages",
                column: "StoreId");

            migrationBuilder.CreateIndex(
                name: "IX_Outbox_CustomerId_SentAt",
                table: "Outbox",
                columns: new[] { "CustomerId", "SentAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Outbox_Status_DueAt",
                table: "Outbox",
                columns: new[] { "Status", "DueAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Outbox_StoreId_Key",
                table: "Outbox",
                columns: new[] { "StoreId", "Key" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Outbox_StoreId_MessageId_SentAt",
                table: "Outbox",
                columns: new[] { "StoreId", "MessageId", "SentAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Senders_StoreId",
                table: "Senders",
                column: "StoreId");

            migrationBuilder.CreateIndex(
                name: "IX_Suppressions_StoreId_Email",
                table: "Suppressions",
                columns: new[] { "StoreId", "Email" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "CouponCodes");

            migrationBuilder.DropTable(
                name: "CouponPools");

            migrationBuilder.DropTable(
                name: "MessageActivities");

            migrationBuilder.DropTable(
                name: "Messages");

            migrationBuilder.DropTable(
                name: "Outbox");

            migrationBuilder.DropTable(
                name: "Senders");

            migrationBuilder.DropTable(
                name: "Suppressions");

            migrationBuilder.DropColumn(
                name: "ClickWindowDays",
                table: "Stores");

            migrationBuilder.DropColumn(
                name: "LinkSecret",
                table: "Stores");

            migrationBuilder.DropColumn(
                name: "OpenWindowDays",
                table: "Stores");

            migrationBuilder.DropColumn(
                name: "PostalAddress",
                table: "Stores");

            migrationBuilder.DropColumn(
                name: "SendRate",
                table: "Stores");

            migrationBuilder.DropColumn(
                name: "SmtpUrl",
                table: "Stores");
        }
    }
}
