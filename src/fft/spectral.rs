//! The CPU mirror of `shaders/shared/spectral.wgsl`: integer wave numbers in
//! numpy's layout, wave vectors, the odd-derivative Nyquist rule, the mirror
//! index, the 2/3 de-aliasing mask and the band-limited mode box
//! (docs/MATHEMATICS.md section 2). Every CPU reference uses this one copy.

use crate::gpu::Shape;

/// Wave numbers of an `(n2, n1)` grid of side length `length`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spectral {
    /// The grid.
    pub shape: Shape,
    /// Side length L of the torus.
    pub length: f64,
}

/// Integer wave number of index `j` of an axis of `n` points: `j` below
/// `(n + 1) / 2`, `j - n` above (so a single point has wave number 0).
pub fn wave_number(j: usize, n: usize) -> i64 {
    if j < n.div_ceil(2) {
        j as i64
    } else {
        j as i64 - n as i64
    }
}

impl Spectral {
    /// The wave numbers of `shape` on a torus of side `length`.
    pub fn new(shape: Shape, length: f64) -> Self {
        Spectral { shape, length }
    }

    fn n(&self) -> (usize, usize) {
        (self.shape.n1 as usize, self.shape.n2 as usize)
    }

    /// Points of one field.
    pub fn len(&self) -> usize {
        self.shape.len()
    }

    /// True for an empty grid (never, for a valid shape).
    pub fn is_empty(&self) -> bool {
        self.shape.is_empty()
    }

    /// `2 pi / L`, the unit of wave vectors.
    pub fn unit(&self) -> f64 {
        2.0 * std::f64::consts::PI / self.length
    }

    /// Integer wave vector `(m1, m2)` of grid index `p` (`m2 = 0` in 1D).
    pub fn wave_vector(&self, p: usize) -> (i64, i64) {
        let (n1, n2) = self.n();
        (wave_number(p % n1, n1), wave_number(p / n1, n2))
    }

    /// `kappa = 2 pi m / L` of grid index `p`, for even operators.
    pub fn kappa(&self, p: usize) -> (f64, f64) {
        let (m1, m2) = self.wave_vector(p);
        (self.unit() * m1 as f64, self.unit() * m2 as f64)
    }

    /// `|kappa|^2` of grid index `p`.
    pub fn kappa2(&self, p: usize) -> f64 {
        let (k1, k2) = self.kappa(p);
        k1 * k1 + k2 * k2
    }

    /// `kappa` for odd derivatives: each Nyquist component (`m = -n/2` on an
    /// axis of more than one point) is zeroed.
    pub fn kappa_odd(&self, p: usize) -> (f64, f64) {
        let (n1, n2) = self.n();
        let (m1, m2) = self.wave_vector(p);
        let (k1, k2) = self.kappa(p);
        let k1 = if n1 > 1 && m1 == -(n1 as i64) / 2 {
            0.0
        } else {
            k1
        };
        let k2 = if n2 > 1 && m2 == -(n2 as i64) / 2 {
            0.0
        } else {
            k2
        };
        (k1, k2)
    }

    /// Grid index of the integer wave vector `(m1, m2)`, periodically wrapped.
    pub fn index_of(&self, m1: i64, m2: i64) -> usize {
        let (n1, n2) = self.n();
        m2.rem_euclid(n2 as i64) as usize * n1 + m1.rem_euclid(n1 as i64) as usize
    }

    /// Grid index of the wave vector `-m` of index `p`.
    pub fn mirror(&self, p: usize) -> usize {
        let (m1, m2) = self.wave_vector(p);
        self.index_of(-m1, -m2)
    }

    /// The 2/3 rule: 1 where every `|m_i| <= n_i / 3`, else 0.
    pub fn dealias_mask(&self, p: usize) -> f64 {
        let (n1, n2) = self.n();
        let (m1, m2) = self.wave_vector(p);
        let keep = m1.unsigned_abs() as usize <= n1 / 3
            && (n2 == 1 || m2.unsigned_abs() as usize <= n2 / 3);
        if keep {
            1.0
        } else {
            0.0
        }
    }

    /// The wave vectors of the band-limited box `|m_i| <= modes` in box order
    /// (`box(m) = (m2 + B)(2B + 1) + (m1 + B)` in 2D, `m1 + B` in 1D).
    pub fn box_modes(&self, modes: u32) -> Vec<(i64, i64)> {
        let b = modes as i64;
        if self.shape.dim() == 2 {
            (-b..=b)
                .flat_map(|m2| (-b..=b).map(move |m1| (m1, m2)))
                .collect()
        } else {
            (-b..=b).map(|m1| (m1, 0)).collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wave_numbers_follow_numpy_and_the_nyquist_rule() {
        let s = Spectral::new(Shape::square(4), 2.0 * std::f64::consts::PI);
        let m: Vec<i64> = (0..4).map(|p| s.wave_vector(p).0).collect();
        assert_eq!(m, vec![0, 1, -2, -1]);
        assert_eq!(s.kappa_odd(2), (0.0, 0.0));
        assert_eq!(s.kappa(2), (-2.0, 0.0));
        assert_eq!(s.mirror(1), 3);
        assert_eq!(s.mirror(4 + 1), 12 + 3);
        assert_eq!(s.index_of(-1, -1), 15);
        assert_eq!(s.dealias_mask(1), 1.0);
        assert_eq!(s.dealias_mask(2), 0.0);
        assert_eq!(s.box_modes(1)[0], (-1, -1));
        assert_eq!(s.box_modes(1).len(), 9);
        let line = Spectral::new(Shape::line(5), 1.0);
        assert_eq!(line.wave_vector(3), (-2, 0));
        assert_eq!(line.kappa_odd(1).0, line.unit());
    }
}
