using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Cistrat.Learning.Core.Live;
using Cistrat.Learning.Web.Features.Live;

namespace Cistrat.Learning.Web.Tests.Live;

/// <summary>
/// Keeps the room's README true: its method table lists exactly the hub's public methods (names, parameters,
/// return types), its event table exactly <see cref="ILiveClient"/>, and its limits and error codes are the code's.
/// </summary>
public sealed partial class LiveReadmeContractTests
{
    private static readonly string Readme = File.ReadAllText(Path.Combine(SourceRoot(), "src", "Cistrat.Learning.Web", "Features", "Live", "README.md"));

    [Fact]
    public void MethodTable_ListsExactlyTheHubsPublicMethods_WithTheirParameters()
    {
        var documented = Rows("Methods").ToDictionary(r => Signature(r[0]).Name, r => (Signature(r[0]).Parameters, Returns: r[1]));
        var methods = HubMethods().ToDictionary(m => m.Name);

        Assert.Equal(methods.Keys.Order(), documented.Keys.Order());
        foreach (var (name, (parameters, returns)) in documented)
        {
            var method = methods[name];
            Assert.True(
                method.GetParameters().Select(p => p.Name!).SequenceEqual(parameters),
                $"{name}: README says ({string.Join(", ", parameters)}), the hub takes ({string.Join(", ", method.GetParameters().Select(p => p.Name))})");
            Assert.True(ReturnMatches(method.ReturnType, returns), $"{name}: README says it returns {returns}, the hub returns {method.ReturnType}");
        }
    }

    [Fact]
    public void EventTable_ListsExactlyTheClientInterface_WithItsArguments()
    {
        var documented = Rows("Events (server to client)").ToDictionary(r => Code(r[0]), r => Code(r[1]).Split(',', StringSplitOptions.TrimEntries));
        var events = typeof(ILiveClient).GetMethods().ToDictionary(m => m.Name);

        Assert.Equal(events.Keys.Order(), documented.Keys.Order());
        foreach (var (name, arguments) in documented)
        {
            var parameters = events[name].GetParameters();
            Assert.True(arguments.Length == parameters.Length, $"{name}: README lists {arguments.Length} arguments, ILiveClient {parameters.Length}");
            foreach (var (argument, parameter) in arguments.Zip(parameters))
            {
                // A lower-case argument is the parameter's name; a capitalised one is its payload type.
                var matches = char.IsLower(argument[0])
                    ? argument == parameter.Name
                    : argument.TrimEnd('[', ']') == ElementType(parameter.ParameterType).Name;
                Assert.True(matches, $"{name}: README says {argument}, ILiveClient has {parameter.ParameterType.Name} {parameter.Name}");
            }
        }
    }

    [Fact]
    public void LimitsTable_IsTheRateLimitsInForce()
    {
        var rows = Rows("Limits").ToDictionary(r => r[0], r => int.Parse(LeadingNumber().Match(r[1]).Value, CultureInfo.InvariantCulture));

        Assert.Equal(
            new Dictionary<string, int>
            {
                ["Asking"] = RoomRateLimits.PerMinute(RoomLimit.Ask),
                ["Upvotes"] = RoomRateLimits.PerMinute(RoomLimit.Upvote),
                ["Chat"] = RoomRateLimits.PerMinute(RoomLimit.Chat),
                ["Poll votes"] = RoomRateLimits.PerMinute(RoomLimit.PollVote),
            },
            rows);
    }

    [Fact]
    public void MethodNotes_GiveTheLengthLimitsInForce()
    {
        var notes = Rows("Methods").ToDictionary(r => Signature(r[0]).Name, r => r[3]);

        Assert.Contains($"at most {N(LiveLimits.NotesLength)} characters", notes["SetNotes"], StringComparison.Ordinal);
        Assert.Contains($"at most {N(LiveLimits.QuestionLength)} characters", notes["Ask"], StringComparison.Ordinal);
        Assert.Contains($"at most {N(LiveLimits.AnswerLength)} characters", notes["AnswerQuestion"], StringComparison.Ordinal);
        Assert.Contains($"at most {N(LiveLimits.ChatLength)} characters", notes["SendChat"], StringComparison.Ordinal);
        Assert.Contains(
            $"{LiveLimits.PollOptionsMin} to {LiveLimits.PollOptionsMax} options of at most {LiveLimits.PollOptionLength} characters; question at most {LiveLimits.PollQuestionLength}",
            notes["OpenPoll"], StringComparison.Ordinal);
    }

    [Fact]
    public void ErrorCodes_ListEveryCodeTheRoomSends()
    {
        var section = Section("Error codes");
        var listed = CodeSpan().Matches(section).Select(m => m.Groups[1].Value).ToHashSet();
        var root = SourceRoot();
        var sources = new[]
        {
            Path.Combine(root, "src", "Cistrat.Learning.Web", "Features", "Live", "LiveHub.cs"),
            Path.Combine(root, "src", "Cistrat.Learning.Web", "Features", "Live", "RoomWriter.cs"),
            Path.Combine(root, "src", "Cistrat.Learning.Web", "Features", "Live", "RoomRateLimits.cs"),
            Path.Combine(root, "src", "Cistrat.Learning.Core", "Live", "LiveRoomService.cs"),
        }.Select(File.ReadAllText);
        var used = sources.SelectMany(s => UsedCode().Matches(s)).Select(m => m.Groups["code"].Value).ToHashSet();
        foreach (var factory in typeof(RoomException).GetMethods(BindingFlags.Public | BindingFlags.Static).Where(m => m.ReturnType == typeof(RoomException)))
        {
            object?[] arguments = [.. factory.GetParameters().Select(p => p.ParameterType == typeof(int) ? (object)1 : "x")];
            used.Add(((RoomException)factory.Invoke(null, arguments)!).Code);
        }

        Assert.NotEmpty(used);
        Assert.Empty(used.Except(listed));
    }

    private static string N(int value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static IEnumerable<MethodInfo> HubMethods() =>
        typeof(LiveHub).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName && m.GetBaseDefinition().DeclaringType == typeof(LiveHub));

    private static bool ReturnMatches(Type returnType, string documented)
    {
        if (documented == "—")
            return returnType == typeof(Task);
        if (!returnType.IsGenericType || returnType.GetGenericTypeDefinition() != typeof(Task<>))
            return false;
        var result = returnType.GetGenericArguments()[0];
        var names = CodeSpan().Matches(documented).Select(m => m.Groups[1].Value).ToList();
        return names.Count > 0 && names.All(name => name == "null"
            || (name.EndsWith("[]", StringComparison.Ordinal) ? result != ElementType(result) && ElementType(result).Name == name[..^2] : result.Name == name));
    }

    private static Type ElementType(Type type) =>
        type.IsArray ? type.GetElementType()!
        : type.IsGenericType && typeof(System.Collections.IEnumerable).IsAssignableFrom(type) && type != typeof(string) ? type.GetGenericArguments()[^1]
        : type;

    private static (string Name, string[] Parameters) Signature(string cell)
    {
        var match = SignaturePattern().Match(Code(cell));
        Assert.True(match.Success, $"Not a method signature: {cell}");
        return (match.Groups["name"].Value, match.Groups["parameters"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
    }

    private static string Code(string cell)
    {
        var match = CodeSpan().Match(cell);
        Assert.True(match.Success, $"No `code` in the cell: {cell}");
        return match.Groups[1].Value;
    }

    /// <summary>The cells of each body row of the first table in a section.</summary>
    private static List<string[]> Rows(string heading)
    {
        var rows = Section(heading).Split('\n')
            .Where(line => line.StartsWith('|'))
            .Select(line => line.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray())
            .ToList();
        Assert.True(rows.Count > 2, $"No table under ## {heading}");
        return rows.Skip(2).ToList();
    }

    private static string Section(string heading)
    {
        var start = Readme.IndexOf($"\n## {heading}\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"The README has no section ## {heading}");
        var end = Readme.IndexOf("\n## ", start + 4, StringComparison.Ordinal);
        return Readme[start..(end < 0 ? Readme.Length : end)].Replace("\r", "", StringComparison.Ordinal);
    }

    private static string SourceRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Cistrat.Learning.sln")) || Directory.Exists(Path.Combine(dir.FullName, "src", "Cistrat.Learning.Web")))
                return dir.FullName;
        }

        throw new InvalidOperationException($"No source tree above {AppContext.BaseDirectory}");
    }

    [GeneratedRegex(@"`([^`]+)`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"^(?<name>[A-Z][A-Za-z]*)\((?<parameters>[^)]*)\)$")]
    private static partial Regex SignaturePattern();

    [GeneratedRegex(@"^\d+")]
    private static partial Regex LeadingNumber();

    [GeneratedRegex(@"(?:new RoomException\(""|HubException\(\$?"")(?<code>[a-z]+(?:-[a-z]+)*):?")]
    private static partial Regex UsedCode();
}
