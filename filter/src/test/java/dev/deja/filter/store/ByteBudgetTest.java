package dev.deja.filter.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ByteBudgetTest {

  @Test
  void reservationsShareTheLimit_andARefusalReservesNothing() {
    ByteBudget budget = new ByteBudget(100);
    ByteBudget.Reservation a = budget.open();
    ByteBudget.Reservation b = budget.open();
    assertTrue(a.grow(60));
    assertFalse(b.grow(50), "60 + 50 is over the limit");
    assertEquals(60, budget.used(), "a refused reservation holds nothing");
    assertEquals(1, budget.refused());
    assertTrue(b.grow(40));
    assertEquals(100, budget.used());
  }

  @Test
  void closingGivesTheBytesBackOnce_andAClosedReservationCannotGrow() {
    ByteBudget budget = new ByteBudget(100);
    ByteBudget.Reservation a = budget.open();
    assertTrue(a.grow(30));
    assertTrue(a.grow(30));
    a.close();
    a.close();
    assertEquals(0, budget.used());
    assertFalse(a.grow(1));
    assertEquals(0, budget.used());
  }

  @Test
  void aZeroBudgetRefusesEverything() {
    ByteBudget budget = new ByteBudget(0);
    assertFalse(budget.open().grow(1));
    assertTrue(budget.open().grow(0), "an empty body needs no bytes");
  }
}
