using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;

namespace MailAuth
{
    /// <summary>
    /// The read-only list every collection property of a result object has. Its text is its
    /// items' text joined with "; " (an empty list gives an empty string), so Export-Csv and
    /// ConvertTo-Csv, which write each property's ToString(), show values rather than a type
    /// name; the items stay objects (<c>$r.Findings[0].Id</c>). A <see cref="ReadOnlyCollection{T}"/>,
    /// so PowerShell indexes (negative indexes too), slices and enumerates it like an array.
    /// </summary>
    /// <typeparam name="T">The item type.</typeparam>
    public sealed class ResultList<T> : ReadOnlyCollection<T>
    {
        /// <summary>Separates the items in <see cref="ToString"/>.</summary>
        public const string Separator = "; ";

        /// <summary>Creates a list holding a copy of <paramref name="items"/>.</summary>
        /// <exception cref="ArgumentNullException"><paramref name="items"/> is null.</exception>
        public ResultList(IEnumerable<T> items)
            : base((items ?? throw new ArgumentNullException(nameof(items))).ToArray())
        {
        }

        // The flag only tells this no-copy constructor from the public one.
        private ResultList(T[] items, bool owned)
            : base(items)
        {
        }

        /// <summary>The empty list.</summary>
        public static ResultList<T> Empty { get; } = new ResultList<T>(Array.Empty<T>(), true);

        /// <summary>The items' text joined with "; "; null items are empty text.</summary>
        public override string ToString() => string.Join(Separator, this.Select(item => item?.ToString() ?? string.Empty));

        /// <summary>Wraps an array the caller no longer touches (no copy).</summary>
        internal static ResultList<T> Own(T[] items) => items.Length == 0 ? Empty : new ResultList<T>(items, true);
    }

    /// <summary>Builds <see cref="ResultList{T}"/> values.</summary>
    public static class ResultList
    {
        /// <summary>A list of <paramref name="items"/> (a copy); null gives the empty list.</summary>
        public static ResultList<T> From<T>(IEnumerable<T>? items) => items switch
        {
            null => ResultList<T>.Empty,
            ResultList<T> list => list,
            _ => ResultList<T>.Own(items.ToArray()),
        };

        /// <summary>The core's shorthand for <see cref="From{T}"/>.</summary>
        internal static ResultList<T> ToResultList<T>(this IEnumerable<T>? items) => From(items);
    }

    /// <summary>
    /// The read-only name=value map of a tag list (DKIM-Signature, ARC-Seal, Received-SPF pairs).
    /// Its text is "name=value; name=value", so a CSV cell or a string shows the tags, not a type
    /// name; ConvertTo-Json writes it as an object.
    /// </summary>
    public sealed class ResultDictionary : ReadOnlyDictionary<string, string>
    {
        internal static ResultDictionary From(IReadOnlyDictionary<string, string> map) => map as ResultDictionary
            ?? new ResultDictionary(map as IDictionary<string, string> ?? map.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal));

        /// <summary>Wraps <paramref name="map"/> (not a copy; the caller no longer changes it).</summary>
        /// <exception cref="ArgumentNullException"><paramref name="map"/> is null.</exception>
        public ResultDictionary(IDictionary<string, string> map)
            : base(map ?? throw new ArgumentNullException(nameof(map)))
        {
        }

        /// <summary>"name=value; name=value" (in the order added: the tags as written).</summary>
        public override string ToString() => string.Join(ResultList<string>.Separator, this.Select(p => p.Key + "=" + p.Value));
    }
}
