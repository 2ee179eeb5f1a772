using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Core.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Cistrat.Learning.Core.Tests.Notifications;

/// <summary>MailOutbox.AddNewAsync against a real SQLite file, including writers racing on the same keys.</summary>
public sealed class MailOutboxTests(SqliteDatabase database) : IClassFixture<SqliteDatabase>, IAsyncLifetime
{
    private static readonly DateTime Now = new(2026, 3, 2, 10, 0, 0, DateTimeKind.Utc);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => await database.ResetAsync(Ct);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task AddNew_SkipsKeysAlreadyInTheOutbox_AndDuplicatesWithinOneCall()
    {
        await using (var db = database.CreateContext())
            Assert.Equal(2, await MailOutbox.AddNewAsync(db, [Mail("a", "first"), Mail("b", "first")], Ct));

        int added;
        await using (var db = database.CreateContext())
            added = await MailOutbox.AddNewAsync(db, [Mail("b", "second"), Mail("c", "second"), Mail("c", "third"), Mail("d", "second")], Ct);

        Assert.Equal(2, added);
        Assert.Equal([("a", "first"), ("b", "first"), ("c", "second"), ("d", "second")], await RowsAsync());
    }

    [Fact]
    public async Task AddNew_AcrossSeveralChunks_AddsOnlyTheNewKeys()
    {
        await using (var db = database.CreateContext())
            await MailOutbox.AddNewAsync(db, Enumerable.Range(0, 1200).Where(i => i % 4 == 0).Select(i => Mail($"k{i:0000}", "old")).ToList(), Ct);

        int added;
        await using (var db = database.CreateContext())
            added = await MailOutbox.AddNewAsync(db, Enumerable.Range(0, 1200).Select(i => Mail($"k{i:0000}", "new")).ToList(), Ct);

        Assert.Equal(900, added);
        var rows = await RowsAsync();
        Assert.Equal(1200, rows.Count);
        Assert.Equal(300, rows.Count(r => r.Name == "old"));
        Assert.All(rows.Where(r => r.Name == "old"), r => Assert.Equal(0, int.Parse(r.Key[1..]) % 4));
    }

    [Fact]
    public async Task AddNew_WhenAnotherWriterInsertsKeysMidway_StoresEachKeyOnce_AndCountsOnlyItsOwn()
    {
        // The other writer inserts "c" after this call has checked for existing keys but before it saves its batch,
        // and "d" just before the row-by-row retry saves "d": both collisions the method is meant to absorb.
        var racer = new RacingWriter(database, new Dictionary<int, string> { [1] = "c", [4] = "d" });
        var options = new DbContextOptionsBuilder<LearningDbContext>()
            .UseSqlite(ConnectionString(), o => o.MigrationsAssembly(MigrationsAssemblies.Sqlite))
            .AddInterceptors(racer)
            .Options;
        await using var db = new LearningDbContext(options);

        var added = await MailOutbox.AddNewAsync(db, [Mail("a", "mine"), Mail("b", "mine"), Mail("c", "mine"), Mail("d", "mine")], Ct);

        Assert.Equal(2, added);
        Assert.Equal([("a", "mine"), ("b", "mine"), ("c", "racer"), ("d", "racer")], await RowsAsync());
        // The batch, then "a", "b" and "d" one by one; "c" was seen to be there already.
        Assert.Equal(4, racer.Saves);
    }

    [Fact]
    public async Task AddNew_ConcurrentWritersWithOverlappingKeys_StoreEachKeyOnce_AndTheirCountsAddUp()
    {
        const int Writers = 4;
        for (var round = 0; round < 3; round++)
        {
            // Writer w plans keys [w*20, w*20+60): each key is planned by up to three writers at once.
            var sets = Enumerable.Range(0, Writers)
                .Select(w => Enumerable.Range(w * 20, 60).Select(i => $"r{round}:{i:000}").ToList())
                .ToList();
            using var gate = new Barrier(Writers);
            var writers = sets.Select((keys, w) => Task.Run(async () =>
            {
                await using var db = database.CreateContext();
                var mails = keys.Select(k => Mail(k, $"writer-{w}")).ToList();
                gate.SignalAndWait(Ct);
                return await MailOutbox.AddNewAsync(db, mails, Ct);
            }, Ct));

            var added = await Task.WhenAll(writers);

            var union = sets.SelectMany(s => s).Distinct().Count();
            Assert.Equal(union, added.Sum());
            await using var check = database.CreateContext();
            var prefix = $"r{round}:";
            var keys = await check.OutgoingMail.Where(m => m.Key.StartsWith(prefix)).Select(m => m.Key).ToListAsync(Ct);
            Assert.Equal(union, keys.Count);
            Assert.Equal(union, keys.Distinct().Count());
        }
    }

    private string ConnectionString()
    {
        using var db = database.CreateContext();
        return db.Database.GetConnectionString() ?? throw new InvalidOperationException("The test database has no connection string.");
    }

    private async Task<List<(string Key, string Name)>> RowsAsync()
    {
        await using var db = database.CreateContext();
        var rows = await db.OutgoingMail.AsNoTracking().OrderBy(m => m.Key).Select(m => new { m.Key, m.ToName }).ToListAsync(Ct);
        return rows.Select(r => (r.Key, r.ToName)).ToList();
    }

    private static OutgoingMail Mail(string key, string writer) => new()
    {
        Key = key, Kind = MailKinds.Announcement, ToAddress = "someone@example.org", ToName = writer, CreatedAt = Now, NextAttemptAt = Now,
    };

    /// <summary>Another writer that slips a row in, through a connection of its own, just before the Nth save of the context it watches.</summary>
    private sealed class RacingWriter(SqliteDatabase database, Dictionary<int, string> keysBeforeSave) : SaveChangesInterceptor
    {
        public int Saves { get; private set; }

        public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Saves++;
            if (keysBeforeSave.TryGetValue(Saves, out var key))
            {
                await using var other = database.CreateContext();
                other.OutgoingMail.Add(Mail(key, "racer"));
                await other.SaveChangesAsync(cancellationToken);
            }

            return result;
        }
    }
}
