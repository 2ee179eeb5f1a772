using System.Security.Claims;
using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Core.Live;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace Cistrat.Learning.Web.Features.Live;

/// <summary>
/// A person's role in a room. Who the session's cohort holds (staff, active trainees) is read once per room and kept
/// for two minutes, so that neither thousands of trainees joining nor an upvote storm asks the database who each of
/// them is (a lecture's votes come minutes after its people joined, when a per-person answer would have expired),
/// while a withdrawal or a staff change still takes effect within two minutes. Someone not on the kept list is read
/// afresh (enrolled a minute ago, say), and that answer is kept a few seconds.
/// </summary>
public sealed class RoomAccess(IServiceScopeFactory scopes, IMemoryCache cache)
{
    private static readonly TimeSpan MembersLifetime = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan OutsiderLifetime = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan CancelledLifetime = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan QuestionLifetime = TimeSpan.FromSeconds(2);

    public async Task<RoomRole> RoleAsync(int sessionId, ClaimsPrincipal user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        var userId = user.FindFirstValue(ClaimTypes.NameIdentifier);
        if (string.IsNullOrEmpty(userId))
            return RoomRole.None;
        if (await MembersAsync(sessionId, ct) is not { } members)
            return RoomRole.None;
        var role = members.RoleOf(userId, user.IsInRole);
        if (role != RoomRole.None)
            return role;

        var key = ("room-outsider", sessionId, userId);
        if (cache.TryGetValue(key, out RoomRole known))
            return known;
        await using var scope = scopes.CreateAsyncScope();
        role = await scope.ServiceProvider.GetRequiredService<LiveRoomService>().RoleAsync(sessionId, userId, user.IsInRole, ct);
        if (role == RoomRole.None)
            cache.Set(key, role, OutsiderLifetime);
        else
            cache.Remove(MembersKey(sessionId));
        return role;
    }

    private async Task<RoomMembers?> MembersAsync(int sessionId, CancellationToken ct)
    {
        var key = MembersKey(sessionId);
        if (cache.TryGetValue(key, out RoomMembers? members))
            return members;
        await using var scope = scopes.CreateAsyncScope();
        members = await scope.ServiceProvider.GetRequiredService<LiveRoomService>().MembersAsync(sessionId, ct);
        // An unknown session is remembered briefly too: a client calling with a made-up id asks the database once.
        cache.Set(key, members, members is null ? OutsiderLifetime : MembersLifetime);
        return members;
    }

    private static (string, int) MembersKey(int sessionId) => ("room-members", sessionId);

    /// <summary>Another person's role (to refuse muting staff); global roles come from the database.</summary>
    public async Task<RoomRole> RoleOfAsync(int sessionId, string userId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LearningDbContext>();
        var roles = await (from ur in db.UserRoles
                           join r in db.Roles on ur.RoleId equals r.Id
                           where ur.UserId == userId
                           select r.Name).ToListAsync(ct);
        return await scope.ServiceProvider.GetRequiredService<LiveRoomService>().RoleAsync(sessionId, userId, roles.Contains, ct);
    }

    public async Task<bool> IsCancelledAsync(int sessionId, CancellationToken ct)
    {
        var key = ("room-cancelled", sessionId);
        if (cache.TryGetValue(key, out bool cancelled))
            return cancelled;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LearningDbContext>();
        cancelled = await db.LiveSessions.Where(s => s.Id == sessionId).Select(s => s.Cancelled).SingleOrDefaultAsync(ct);
        cache.Set(key, cancelled, CancelledLifetime);
        return cancelled;
    }

    /// <summary>A question's room, state and author, kept for two seconds: an upvote storm asks once, not per vote.</summary>
    public async Task<UpvoteTarget?> UpvoteTargetAsync(long questionId)
    {
        var key = ("upvote-target", questionId);
        if (cache.TryGetValue(key, out UpvoteTarget? target))
            return target;
        await using var scope = scopes.CreateAsyncScope();
        target = await scope.ServiceProvider.GetRequiredService<LiveRoomService>().UpvoteTargetAsync(questionId);
        cache.Set(key, target, QuestionLifetime);
        return target;
    }

    /// <summary>Forgets a question's cached state after it changed on this node (other nodes learn within 2 s).</summary>
    public void ForgetQuestion(long questionId) => cache.Remove(("upvote-target", questionId));

    /// <summary>Forgets what was cached about a session, after it was edited here.</summary>
    public void Forget(int sessionId) => cache.Remove(("room-cancelled", sessionId));
}
