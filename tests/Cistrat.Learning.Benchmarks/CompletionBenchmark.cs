using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Completion;
using Cistrat.Learning.Core.Content;
using Cistrat.Learning.Core.Courses;
using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Core.Identity;
using Cistrat.Learning.Core.Quizzes;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cistrat.Learning.Benchmarks;

/// <summary>
/// Grading and completion-rule evaluation for one cohort of many trainees ("Quizzes, completion rules and the
/// trainee's record"): the whole cohort re-evaluated after a rule change, against the baseline of evaluating the
/// same trainees one by one, in the same run on the same SQLite file.
/// </summary>
internal static class CompletionBenchmark
{
    public sealed record Result(
        int Trainees,
        int Lessons,
        int Quizzes,
        TimeSpan BulkFirst,
        int BulkFirstCommands,
        int NewCompletions,
        TimeSpan BulkAfterRuleChange,
        int BulkAfterRuleChangeCommands,
        TimeSpan OneByOne,
        int OneByOneCommands,
        int Attempts,
        TimeSpan Grading)
    {
        public double BulkPerTraineeMs => BulkAfterRuleChange.TotalMilliseconds / Trainees;

        public double OneByOnePerTraineeMs => OneByOne.TotalMilliseconds / Trainees;

        public double GradingPerAttemptUs => Grading.TotalMilliseconds * 1000 / Attempts;

        /// <summary>Reads must not grow with the cohort; writes are one INSERT per new completion record and outbox row.</summary>
        public bool MeetsTarget => BulkAfterRuleChange < TimeSpan.FromSeconds(2) && BulkAfterRuleChangeReads <= 15;

        public int BulkAfterRuleChangeReads { get; init; }
    }

    public static async Task<Result> RunAsync(string contentRoot, int trainees, CancellationToken ct)
    {
        var path = Path.Combine(Path.GetTempPath(), $"cistrat-completion-bench-{Guid.NewGuid():N}.db");
        var counter = new CommandCounter();
        try
        {
            var options = new DbContextOptionsBuilder<LearningDbContext>()
                .UseSqlite($"Data Source={path}", o => o.MigrationsAssembly(MigrationsAssemblies.Sqlite))
                .AddInterceptors(counter)
                .Options;
            await using (var db = new LearningDbContext(options))
            {
                await db.Database.MigrateAsync(ct);
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
                await new ContentImporter(db, TimeProvider.System, NullLogger<ContentImporter>.Instance).ImportAsync(contentRoot, ct);
            }

            var (cohortId, lessons, quizzes, attempts) = await SeedAsync(options, trainees, ct);

            // First evaluation: records the completions the seed data already meets.
            var (bulkFirst, bulkFirstCommands) = await TimeAsync(counter, () => WithServiceAsync(options, s => s.EvaluateCohortAsync(cohortId, ct)));
            var completions = await WithDbAsync(options, db => db.CompletionRecords.CountAsync(ct));

            // The case the target is about: a coordinator changes the rule, and the whole cohort is re-evaluated.
            await WithDbAsync(options, async db =>
            {
                var cohort = await db.Cohorts.SingleAsync(c => c.Id == cohortId, ct);
                cohort.CompletionRule.LessonSharePercent = 60;
                cohort.CompletionRule.Version++;
                return await db.SaveChangesAsync(ct);
            });
            var (afterChange, afterChangeCommands) = await TimeAsync(counter, () => WithServiceAsync(options, s => s.EvaluateCohortAsync(cohortId, ct)));
            var afterChangeReads = counter.Reads;
            var newCompletions = await WithDbAsync(options, db => db.CompletionRecords.CountAsync(ct)) - completions;

            // Baseline: the same trainees evaluated one at a time, as per-trainee code would.
            var enrolmentIds = await WithDbAsync(options, db => db.Enrolments.Where(e => e.CohortId == cohortId).Select(e => e.Id).ToListAsync(ct));
            var (oneByOne, oneByOneCommands) = await TimeAsync(counter, () => WithServiceAsync(options, async s =>
            {
                foreach (var id in enrolmentIds)
                    await s.ReportEnrolmentAsync(cohortId, id, ct);
                return 0;
            }));

            var definition = await WithDbAsync(options, db => db.Quizzes.AsNoTracking().Select(q => q.DefinitionJson).FirstAsync(ct));
            var (grading, _) = await TimeAsync(counter, () =>
            {
                var quiz = QuizDefinition.FromJson(definition);
                var random = new Random(7);
                var passed = 0;
                for (var i = 0; i < attempts; i++)
                    passed += QuizGrader.Grade(quiz, RandomAnswers(quiz, random), 70).Passed ? 1 : 0;
                return Task.FromResult(passed);
            });

            return new Result(trainees, lessons, quizzes, bulkFirst, bulkFirstCommands, completions + newCompletions, afterChange, afterChangeCommands,
                oneByOne, oneByOneCommands, attempts, grading) { BulkAfterRuleChangeReads = afterChangeReads };
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var file in new[] { path, path + "-wal", path + "-shm" })
                File.Delete(file);
        }
    }

    public static string ToMarkdown(Result r)
    {
        var s = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        s.AppendLine("## Quizzes and completion rules");
        s.AppendLine();
        s.AppendLine(c, $"One cohort of {r.Trainees:N0} active trainees on the real course `sti-policy-methods` ({r.Lessons} lessons, {r.Quizzes} quizzes), in a");
        s.AppendLine("SQLite file in WAL mode, in this process. Each trainee has a random share of lessons done and of quizzes passed (seeded, so");
        s.AppendLine("every run has the same data). SQL commands are counted with an EF command interceptor.");
        s.AppendLine();
        s.AppendLine("| What | Time | SQL commands | Per trainee |");
        s.AppendLine("|---|--:|--:|--:|");
        s.AppendLine(c, $"| Whole cohort, first evaluation (records {r.NewCompletions:N0} completions in all runs) | {r.BulkFirst.TotalMilliseconds:N0} ms | {r.BulkFirstCommands:N0} | {r.BulkFirst.TotalMilliseconds / r.Trainees:N3} ms |");
        s.AppendLine(c, $"| **Whole cohort after a rule change** (lesson share 100% → 60%) | **{r.BulkAfterRuleChange.TotalMilliseconds:N0} ms** | **{r.BulkAfterRuleChangeCommands:N0}** ({r.BulkAfterRuleChangeReads} reads) | {r.BulkPerTraineeMs:N3} ms |");
        s.AppendLine(c, $"| Baseline: the same trainees one by one | {r.OneByOne.TotalMilliseconds:N0} ms | {r.OneByOneCommands:N0} | {r.OneByOnePerTraineeMs:N3} ms |");
        s.AppendLine();
        s.AppendLine(c, $"Bulk evaluation is {r.OneByOne.TotalMilliseconds / r.BulkAfterRuleChange.TotalMilliseconds:N1}× faster than one by one. The first evaluation's commands are");
        s.AppendLine("mostly the INSERTs of new completion records and their outbox rows (SQLite's provider sends one per row); the reads are a fixed few.");
        s.AppendLine();
        s.AppendLine(c, $"Grading: {r.Attempts:N0} attempts of a 10-question quiz with random answers in {r.Grading.TotalMilliseconds:N1} ms: {r.GradingPerAttemptUs:N1} µs an attempt.");
        s.AppendLine();
        s.AppendLine(c, $"Target: the whole cohort of {r.Trainees:N0} re-evaluated after a rule change in under 2 s with a bounded number of queries (at most 15 reads, whatever the cohort's size): **{(r.MeetsTarget ? "PASS" : "FAIL")}** ({r.BulkAfterRuleChange.TotalMilliseconds:N0} ms, {r.BulkAfterRuleChangeReads} reads).");
        return s.ToString();
    }

    private static async Task<(int CohortId, int Lessons, int Quizzes, int Attempts)> SeedAsync(DbContextOptions<LearningDbContext> options, int trainees, CancellationToken ct)
    {
        await using var db = new LearningDbContext(options);
        var course = await db.Courses.SingleAsync(c => c.Slug == "sti-policy-methods", ct);
        var lessons = await db.Lessons.Where(l => l.CourseId == course.Id && l.RetiredAt == null).Select(l => l.Id).ToListAsync(ct);
        var quizzes = await db.Quizzes.Where(q => q.CourseId == course.Id && q.RetiredAt == null).Select(q => q.Id).ToListAsync(ct);
        var now = DateTime.UtcNow;
        var cohort = new Cohort
        {
            CourseId = course.Id, Name = "Benchmark cohort", StartsOn = DateOnly.FromDateTime(now).AddDays(-30), EndsOn = DateOnly.FromDateTime(now).AddDays(30),
            TimeZoneId = "Etc/UTC", CreatedAt = now, CompletionRule = new CompletionRule { LessonSharePercent = 100, Quizzes = QuizRequirement.All },
        };
        db.Cohorts.Add(cohort);
        await db.SaveChangesAsync(ct);

        var random = new Random(42);
        var enrolments = new List<Enrolment>();
        for (var i = 0; i < trainees; i++)
        {
            var user = new ApplicationUser { Id = $"bench-{i:D5}", UserName = $"bench{i}@example.org", NormalizedUserName = $"BENCH{i}@EXAMPLE.ORG", FullName = $"Trainee {i}", CreatedAt = now };
            db.Users.Add(user);
            enrolments.Add(new Enrolment { CohortId = cohort.Id, UserId = user.Id, Status = EnrolmentStatus.Active, RequestedAt = now, DecidedAt = now });
        }

        db.Enrolments.AddRange(enrolments);
        await db.SaveChangesAsync(ct);

        var attempts = 0;
        foreach (var enrolment in enrolments)
        {
            var share = random.NextDouble();
            foreach (var lessonId in lessons.Where(_ => random.NextDouble() < share))
                db.LessonProgress.Add(new LessonProgress { UserId = enrolment.UserId, LessonId = lessonId, CourseId = course.Id, FirstVisitedAt = now, LastVisitedAt = now, CompletedAt = now });
            foreach (var quizId in quizzes.Where(_ => random.NextDouble() < share))
            {
                db.QuizAttempts.Add(new QuizAttempt { QuizId = quizId, EnrolmentId = enrolment.Id, UserId = enrolment.UserId, Number = 1, StartedAt = now, SubmittedAt = now, Percent = 80, Passed = true, MaxScore = 10, Score = 8 });
                attempts++;
            }
        }

        await db.SaveChangesAsync(ct);
        return (cohort.Id, lessons.Count, quizzes.Count, Math.Max(attempts, 1000));
    }

    private static Dictionary<string, QuestionAnswer> RandomAnswers(QuizDefinition quiz, Random random) =>
        quiz.Questions.ToDictionary(q => q.Id, q => q.Kind switch
        {
            QuestionKind.SingleChoice => new QuestionAnswer(Options: [q.Options[random.Next(q.Options.Count)].Id]),
            QuestionKind.MultipleChoice => new QuestionAnswer(Options: q.Options.Where(_ => random.Next(2) == 0).Select(o => o.Id).ToList()),
            QuestionKind.TrueFalse => new QuestionAnswer(Text: random.Next(2) == 0 ? "true" : "false"),
            QuestionKind.ShortText => new QuestionAnswer(Text: random.Next(2) == 0 ? q.Accepted![0].ToUpperInvariant() : "something else"),
            _ => new QuestionAnswer(Text: (q.NumericAnswer ?? 0).ToString(CultureInfo.InvariantCulture)),
        });

    private static async Task<(TimeSpan Elapsed, int Commands)> TimeAsync<T>(CommandCounter counter, Func<Task<T>> action)
    {
        counter.Reset();
        var watch = Stopwatch.StartNew();
        await action();
        return (watch.Elapsed, counter.Count);
    }

    private static async Task<T> WithServiceAsync<T>(DbContextOptions<LearningDbContext> options, Func<CompletionService, Task<T>> action)
    {
        await using var db = new LearningDbContext(options);
        return await action(new CompletionService(db, TimeProvider.System));
    }

    private static async Task<T> WithDbAsync<T>(DbContextOptions<LearningDbContext> options, Func<LearningDbContext, Task<T>> action)
    {
        await using var db = new LearningDbContext(options);
        return await action(db);
    }

    private sealed class CommandCounter : DbCommandInterceptor
    {
        private int _count;

        private int _reads;

        public int Count => _count;

        /// <summary>Commands other than INSERTs: what must not grow with the number of trainees.</summary>
        public int Reads => _reads;

        public void Reset() => _count = _reads = 0;

        private void Note(DbCommand command)
        {
            Interlocked.Increment(ref _count);
            if (!command.CommandText.TrimStart().StartsWith("INSERT", StringComparison.OrdinalIgnoreCase))
                Interlocked.Increment(ref _reads);
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Note(command);
            return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Note(command);
            return base.NonQueryExecutingAsync(command, eventData, result, cancellationToken);
        }

        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
        {
            Note(command);
            return base.ScalarExecutingAsync(command, eventData, result, cancellationToken);
        }
    }
}
