using Cistrat.Learning.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Cistrat.Learning.Migrations.SqlServer;

/// <summary>Used by <c>dotnet ef</c> only: no server is contacted to add a migration or script one.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<LearningDbContext>
{
    public LearningDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<LearningDbContext>()
            .UseSqlServer("Server=(design-time);Database=Cistrat.Learning", o => o.MigrationsAssembly(MigrationsAssemblies.SqlServer))
            .Options);
}
