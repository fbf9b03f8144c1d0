//! Stable sorts that share one copy of the standard library's sort code.
//!
//! `slice::sort_by` is generic over the element and the comparison, so each call site with its own
//! types gets its own copy of the whole sort (some 3 KB of wasm each). These functions sort the
//! positions `0..len` (always `usize`, through one `dyn` comparison) and then move the elements into
//! that order: same result as `sort_by`, stable, at the cost of one allocation and an indirect call
//! per comparison. Used on the code paths the wasm UI runs.

use std::cmp::Ordering;

/// As `v.sort_by(cmp)`: stable.
pub fn sort_by<T>(v: &mut Vec<T>, mut cmp: impl FnMut(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let order = positions(v.len(), &mut |a, b| cmp(&v[a], &v[b]));
    let mut slots: Vec<Option<T>> = v.drain(..).map(Some).collect();
    v.extend(order.into_iter().filter_map(|i| slots[i].take()));
}

/// As `v.sort_by_key(key)`: stable.
pub fn sort_by_key<T, K: Ord>(v: &mut Vec<T>, mut key: impl FnMut(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// As `v.sort()`: stable.
pub fn sort<T: Ord>(v: &mut Vec<T>) {
    sort_by(v, T::cmp);
}

/// The positions `0..len` in the order `cmp` gives them, equal ones in their first order.
fn positions(len: usize, cmp: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_by(|&a, &b| cmp(a, b));
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_like_the_standard_sort_and_keeps_equals_in_order() {
        let input = vec![(3, 'a'), (1, 'b'), (3, 'c'), (2, 'd'), (1, 'e'), (0, 'f')];
        let mut ours = input.clone();
        sort_by_key(&mut ours, |&(k, _)| k);
        let mut std = input.clone();
        std.sort_by_key(|&(k, _)| k);
        assert_eq!(ours, std);

        let mut ours = input.clone();
        sort_by(&mut ours, |a, b| b.0.cmp(&a.0));
        let mut std = input;
        std.sort_by_key(|b| std::cmp::Reverse(b.0));
        assert_eq!(ours, std);

        let mut words = vec!["b".to_owned(), "a".to_owned(), "c".to_owned()];
        sort(&mut words);
        assert_eq!(words, ["a", "b", "c"]);
        let mut empty: Vec<u8> = Vec::new();
        sort(&mut empty);
        assert!(empty.is_empty());
    }
}
