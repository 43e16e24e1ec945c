using System;
using System.Collections.Generic;
using System.Text;

namespace LambdaIdentity.Core.Aws.Sources;

/// <summary>
/// Turns a file's bytes into UTF-8 without a byte order mark: UTF-8 with or without BOM, UTF-16 LE or BE with BOM
/// (what Windows PowerShell 5.1's <c>&gt;</c> writes). Each invalid byte, unpaired UTF-16 surrogate and (in JSON) lone
/// <c>\uD800</c>-style escape becomes U+FFFD and a problem at its line and column, so the rest of the file still reads.
/// </summary>
internal static class TextDecoding
{
    private static readonly UTF8Encoding Strict = new(false, throwOnInvalidBytes: true);
    private static readonly byte[] Replacement = { 0xEF, 0xBF, 0xBD };

    /// <summary>A place where the text was not valid.</summary>
    internal readonly struct Problem
    {
        public Problem(int line, int column, string what) { Line = line; Column = column; What = what; }
        public int Line { get; }
        public int Column { get; }
        public string What { get; }
    }

    /// <summary>The text as UTF-8 without BOM; <paramref name="encoding"/> names what the file was.</summary>
    public static byte[] ToUtf8(byte[] bytes, List<Problem> problems, out string encoding)
    {
        if (bytes.Length >= 2 && ((bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF)))
        {
            var bigEndian = bytes[0] == 0xFE;
            encoding = bigEndian ? "UTF-16 BE" : "UTF-16 LE";
            return FromUtf16(bytes, bigEndian, problems);
        }
        var start = bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0;
        encoding = start == 3 ? "UTF-8 with BOM" : "UTF-8";
        try
        {
            Strict.GetCharCount(bytes, start, bytes.Length - start); // the common case: valid, checked fast
            if (start == 0) return bytes;
            var copy = new byte[bytes.Length - 3];
            Buffer.BlockCopy(bytes, 3, copy, 0, copy.Length);
            return copy;
        }
        catch (DecoderFallbackException) { return RepairUtf8(bytes, start, problems); }
    }

    private static byte[] FromUtf16(byte[] bytes, bool bigEndian, List<Problem> problems)
    {
        var sb = new StringBuilder(bytes.Length / 2);
        int line = 1, column = 1;
        int n = (bytes.Length - 2) / 2;
        for (int k = 0; k < n; k++)
        {
            var c = Unit(bytes, 2 + 2 * k, bigEndian);
            if (char.IsHighSurrogate(c) && k + 1 < n && char.IsLowSurrogate(Unit(bytes, 4 + 2 * k, bigEndian)))
            {
                sb.Append(c).Append(Unit(bytes, 4 + 2 * k, bigEndian)); k++; column++;
                continue;
            }
            if (char.IsSurrogate(c))
            {
                problems.Add(new Problem(line, column, $"an unpaired UTF-16 surrogate 0x{(int)c:X4}"));
                sb.Append('\uFFFD'); column++;
                continue;
            }
            sb.Append(c);
            if (c == '\n') { line++; column = 1; } else column++;
        }
        if ((bytes.Length - 2) % 2 == 1) problems.Add(new Problem(line, column, "an odd last byte (a UTF-16 file cut in the middle of a character)"));
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static char Unit(byte[] b, int i, bool bigEndian) => (char)(bigEndian ? (b[i] << 8) | b[i + 1] : b[i] | (b[i + 1] << 8));

    private static byte[] RepairUtf8(byte[] bytes, int start, List<Problem> problems)
    {
        var output = new List<byte>(bytes.Length + 16);
        int line = 1, column = 1, i = start;
        while (i < bytes.Length)
        {
            var b = bytes[i];
            if (b < 0x80)
            {
                output.Add(b);
                if (b == (byte)'\n') { line++; column = 1; } else column++;
                i++;
                continue;
            }
            var length = SequenceLength(bytes, i);
            if (length > 0)
            {
                for (int k = 0; k < length; k++) output.Add(bytes[i + k]);
                i += length; column++;
                continue;
            }
            problems.Add(new Problem(line, column, $"the byte 0x{b:X2}, which is not valid UTF-8"));
            output.AddRange(Replacement);
            i++; column++;
        }
        return output.ToArray();
    }

    /// <summary>The length of the valid UTF-8 sequence starting at <paramref name="i"/>, or 0.</summary>
    private static int SequenceLength(byte[] s, int i)
    {
        var b = s[i];
        int length; byte lo = 0x80, hi = 0xBF;
        if (b >= 0xC2 && b <= 0xDF) length = 2;
        else if (b >= 0xE0 && b <= 0xEF) { length = 3; if (b == 0xE0) lo = 0xA0; if (b == 0xED) hi = 0x9F; }
        else if (b >= 0xF0 && b <= 0xF4) { length = 4; if (b == 0xF0) lo = 0x90; if (b == 0xF4) hi = 0x8F; }
        else return 0;
        if (i + length > s.Length) return 0;
        if (s[i + 1] < lo || s[i + 1] > hi) return 0;
        for (int k = 2; k < length; k++) if (s[i + k] < 0x80 || s[i + k] > 0xBF) return 0;
        return length;
    }

    /// <summary>
    /// Replaces, in place, each <c>\uD800</c>-<c>\uDFFF</c> escape inside a JSON string that is not half of a pair with
    /// <c>\uFFFD</c> (same length, so every position stays), adding a problem at its line and column.
    /// </summary>
    public static void RepairJsonEscapes(byte[] json, List<Problem> problems)
    {
        if (!MayHoldSurrogateEscape(json)) return;
        bool inString = false;
        int line = 1, lineStart = 0;
        for (int i = 0; i < json.Length; i++)
        {
            var b = json[i];
            if (b == (byte)'\n') { line++; lineStart = i + 1; continue; }
            if (b == (byte)'"') { inString = !inString; continue; }
            if (!inString || b != (byte)'\\' || i + 1 >= json.Length) continue;
            if (json[i + 1] != (byte)'u') { i++; continue; } // \" \\ \n ...: skip the escaped character
            var unit = Hex4(json, i + 2);
            if (unit >= 0xD800 && unit <= 0xDBFF && Hex4(json, i + 8) is int next && next >= 0xDC00 && next <= 0xDFFF && json[i + 6] == (byte)'\\' && json[i + 7] == (byte)'u')
            {
                i += 11; // a valid pair
                continue;
            }
            if (unit >= 0xD800 && unit <= 0xDFFF)
            {
                problems.Add(new Problem(line, i - lineStart + 1, $"the escape \\u{unit:x4}, half of a UTF-16 surrogate pair without the other half"));
                json[i + 2] = (byte)'f'; json[i + 3] = (byte)'f'; json[i + 4] = (byte)'f'; json[i + 5] = (byte)'d';
            }
            if (unit >= 0) i += 5;
        }
    }

    private static bool MayHoldSurrogateEscape(byte[] json)
    {
        for (int i = 0; i + 2 < json.Length; i++)
            if (json[i] == (byte)'\\' && json[i + 1] == (byte)'u' && (json[i + 2] == (byte)'d' || json[i + 2] == (byte)'D')) return true;
        return false;
    }

    private static int Hex4(byte[] s, int i)
    {
        if (i + 4 > s.Length) return -1;
        int v = 0;
        for (int k = 0; k < 4; k++)
        {
            var c = s[i + k];
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (d < 0) return -1;
            v = v * 16 + d;
        }
        return v;
    }
}
