using Cistrat.Learning.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Cistrat.Learning.Migrations.Sqlite;

/// <summary>Used by <c>dotnet ef</c> only: the app configures the context from its settings at run time.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<LearningDbContext>
{
    public LearningDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<LearningDbContext>()
            .UseSqlite("Data Source=design-time.db", o => o.MigrationsAssembly(MigrationsAssemblies.Sqlite))
            .Options);
}
