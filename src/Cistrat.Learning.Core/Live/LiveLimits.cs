namespace Cistrat.Learning.Core.Live;

/// <summary>Sizes the room accepts; the hub refuses longer text with <c>too-long</c>.</summary>
public static class LiveLimits
{
    public const int QuestionLength = 500;
    public const int AnswerLength = 2000;
    public const int ChatLength = 500;
    public const int NotesLength = 20_000;
    public const int PollQuestionLength = 300;
    public const int PollOptionLength = 120;
    public const int PollOptionsMin = 2;
    public const int PollOptionsMax = 10;
    public const int ChatInSnapshot = 200;
}
