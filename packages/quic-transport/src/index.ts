/**
 * @quichs/quic-transport
 * @packageDocumentation
 */
export {};
export * from './errors.js';
export * from './recovery/rttEstimator.js';
export * from './recovery/sentPacket.js';
export * from './recovery/lossDetection.js';
export * from './recovery/receivedPackets.js';
export * from './recovery/pacer.js';
export * from './recovery/congestion/congestionController.js';
export * from './recovery/congestion/newReno.js';
export * from './recovery/congestion/cubic.js';
export * from './recovery/congestion/createCongestionController.js';
export * from './stream/streamId.js';
export * from './stream/rangeSet.js';
export * from './stream/reassemblyBuffer.js';
export * from './stream/flowControl.js';
export * from './stream/sendStream.js';
export * from './stream/receiveStream.js';
export * from './stream/streamScheduler.js';
export * from './stream/streamManager.js';
