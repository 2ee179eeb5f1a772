using System.Data.Common;
using System.Text.Json;
using Cistrat.Learning.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Cistrat.Learning.Core.Live;

/// <summary>One write the room batches: an upvote, a poll vote, or an attendance event.</summary>
public abstract record RoomWrite(int SessionId)
{
    public sealed record Upvote(int SessionId, long QuestionId, string UserId, DateTime At) : RoomWrite(SessionId);

    public sealed record PollVote(int SessionId, long PollId, string UserId, int Choices, DateTime At) : RoomWrite(SessionId);

    public sealed record Joined(int SessionId, string UserId, string ConnectionId, DateTime At) : RoomWrite(SessionId);

    public sealed record Left(int SessionId, string ConnectionId, DateTime At) : RoomWrite(SessionId);

    public sealed record Seen(int SessionId, string ConnectionId, DateTime At) : RoomWrite(SessionId);
}

/// <summary>What a batch changed, for the events that announce it.</summary>
public sealed record RoomBatchResult(
    IReadOnlyDictionary<int, HashSet<long>> QuestionsCounted,
    IReadOnlyDictionary<int, HashSet<long>> PollsCounted,
    IReadOnlySet<int> PresenceChanged);

/// <summary>
/// Writes many votes and visits in one transaction with prepared commands: an upvote storm of thousands of
/// trainees a second cannot afford a transaction each. A vote is stored at most once per person (the key
/// decides; the insert skips an existing row), and counts are recounted from the rows, never incremented.
/// </summary>
public static class RoomBatchStore
{
    public static async Task<RoomBatchResult> WriteAsync(LearningDbContext db, IReadOnlyList<RoomWrite> writes, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(writes);
        var questions = new Dictionary<int, HashSet<long>>();
        var polls = new Dictionary<int, HashSet<long>>();
        var presence = new HashSet<int>();

        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            questions.Clear();
            polls.Clear();
            presence.Clear();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var connection = db.Database.GetDbConnection();
            var transaction = tx.GetDbTransaction();
            await using var upvote = Command(connection, transaction,
                "INSERT INTO QuestionVotes (QuestionId, UserId, VotedAt) SELECT @q, @u, @t WHERE NOT EXISTS (SELECT 1 FROM QuestionVotes WHERE QuestionId = @q AND UserId = @u)",
                "@q", "@u", "@t");
            await using var pollVote = Command(connection, transaction,
                "INSERT INTO PollVotes (PollId, UserId, Choices, VotedAt) SELECT @p, @u, @c, @t WHERE NOT EXISTS (SELECT 1 FROM PollVotes WHERE PollId = @p AND UserId = @u)",
                "@p", "@u", "@c", "@t");
            await using var joined = Command(connection, transaction,
                "INSERT INTO AttendanceVisits (SessionId, UserId, ConnectionId, JoinedAt, LastSeenAt, HandRaised) VALUES (@s, @u, @c, @t, @t, @h)",
                "@s", "@u", "@c", "@t", "@h");
            await using var left = Command(connection, transaction,
                "UPDATE AttendanceVisits SET LeftAt = @t, HandRaised = @h WHERE ConnectionId = @c AND LeftAt IS NULL",
                "@c", "@t", "@h");
            await using var seen = Command(connection, transaction,
                "UPDATE AttendanceVisits SET LastSeenAt = @t WHERE ConnectionId = @c AND LeftAt IS NULL",
                "@c", "@t");

            foreach (var write in writes)
            {
                switch (write)
                {
                    case RoomWrite.Upvote v:
                        if (await Run(upvote, ct, v.QuestionId, v.UserId, v.At) > 0)
                            Add(questions, v.SessionId, v.QuestionId);
                        break;
                    case RoomWrite.PollVote v:
                        if (await Run(pollVote, ct, v.PollId, v.UserId, v.Choices, v.At) > 0)
                            Add(polls, v.SessionId, v.PollId);
                        break;
                    case RoomWrite.Joined j:
                        await Run(joined, ct, j.SessionId, j.UserId, j.ConnectionId, j.At, false);
                        presence.Add(j.SessionId);
                        break;
                    case RoomWrite.Left l:
                        if (await Run(left, ct, l.ConnectionId, l.At, false) > 0)
                            presence.Add(l.SessionId);
                        break;
                    case RoomWrite.Seen s:
                        await Run(seen, ct, s.ConnectionId, s.At);
                        break;
                }
            }

            foreach (var id in questions.Values.SelectMany(ids => ids))
            {
                await db.RoomQuestions.Where(q => q.Id == id)
                    .ExecuteUpdateAsync(u => u.SetProperty(q => q.Votes, q => db.QuestionVotes.Count(v => v.QuestionId == q.Id)), ct);
            }

            foreach (var id in polls.Values.SelectMany(ids => ids))
                await RecountPollAsync(db, id, ct);
            await tx.CommitAsync(ct);
        });
        return new RoomBatchResult(questions, polls, presence);
    }

    private static async Task RecountPollAsync(LearningDbContext db, long pollId, CancellationToken ct)
    {
        var options = await db.RoomPolls.Where(p => p.Id == pollId).Select(p => p.OptionsJson).SingleAsync(ct);
        var counts = new int[JsonSerializer.Deserialize<List<string>>(options)?.Count ?? 0];
        var voters = 0;
        await foreach (var mask in db.PollVotes.Where(v => v.PollId == pollId).Select(v => v.Choices).AsAsyncEnumerable().WithCancellation(ct))
        {
            voters++;
            for (var i = 0; i < counts.Length; i++)
            {
                if ((mask & (1 << i)) != 0)
                    counts[i]++;
            }
        }

        var json = JsonSerializer.Serialize(counts);
        await db.RoomPolls.Where(p => p.Id == pollId)
            .ExecuteUpdateAsync(u => u.SetProperty(p => p.CountsJson, json).SetProperty(p => p.Voters, voters), ct);
    }

    private static DbCommand Command(DbConnection connection, DbTransaction transaction, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
#pragma warning disable CA2100 // constant SQL; every value goes in as a parameter
        command.CommandText = sql;
#pragma warning restore CA2100
        foreach (var name in parameters)
        {
            var p = command.CreateParameter();
            p.ParameterName = name;
            command.Parameters.Add(p);
        }

        return command;
    }

    private static Task<int> Run(DbCommand command, CancellationToken ct, params object[] values)
    {
        for (var i = 0; i < values.Length; i++)
            command.Parameters[i].Value = values[i];
        return command.ExecuteNonQueryAsync(ct);
    }

    private static void Add(Dictionary<int, HashSet<long>> map, int sessionId, long id)
    {
        if (!map.TryGetValue(sessionId, out var set))
            map[sessionId] = set = [];
        set.Add(id);
    }
}
